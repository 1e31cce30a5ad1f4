from django.http import HttpResponse
from django.utils.safestring import mark_safe
from flask import Flask, make_response, request
from markupsafe import Markup

app = Flask(__name__)


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    return "<h1>Hello " + name + "</h1>"  # expect: py/xss


@app.get("/bio")
def bio():
    return f"<p>{request.args['bio']}</p>"  # expect: py/xss


@app.route("/note")
def note():
    return Markup(request.form["note"])  # expect: py/xss


@app.route("/echo")
def echo():
    return make_response(request.args["text"])  # expect: py/xss


def django_view(request):
    return HttpResponse(mark_safe(request.GET["html"]))  # expect: py/xss
