app_name = "command"

urlpatterns = []
