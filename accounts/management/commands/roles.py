from accounts.roles_doc import DOC_PATH, roles_markdown
from core.commands import SystemCommand


class Command(SystemCommand):
    help = "Prints the role × permission matrix (docs/ROLES.md); --write rewrites the file."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="rewrite docs/ROLES.md")

    def handle(self, *args, write, **options):
        text = roles_markdown()
        if write:
            DOC_PATH.write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {DOC_PATH}")
        else:
            self.stdout.write(text)
