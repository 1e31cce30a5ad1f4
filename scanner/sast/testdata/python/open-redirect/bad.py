from django.http import HttpResponseRedirect
from flask import Flask, redirect, request

app = Flask(__name__)


@app.route("/login/done")
def done():
    return redirect(request.args.get("next", "/"))  # expect: py/open-redirect


@app.route("/go")
def go():
    target = request.args["url"]
    return redirect(target)  # expect: py/open-redirect


def django_view(request):
    return HttpResponseRedirect(request.GET["next"])  # expect: py/open-redirect
