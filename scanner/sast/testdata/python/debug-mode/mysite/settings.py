# The project's Django settings: a bad case.
SECRET_KEY_NAME = "DJANGO_SECRET_KEY"
DEBUG = True  # expect: py/debug-mode
ALLOWED_HOSTS = ["*"]
