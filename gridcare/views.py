from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    """Each role lands on its own work: the area it is bound to, with what needs doing first."""
    return render(request, "home.html", {"area": request.user.area})
