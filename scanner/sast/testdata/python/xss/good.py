from flask import Flask, jsonify, render_template, request
from markupsafe import Markup, escape

app = Flask(__name__)


@app.route("/hello")
def hello():
    return render_template("hello.html", name=request.args.get("name", ""))


@app.route("/api/hello")
def api_hello():
    return jsonify(message="Hello " + request.args.get("name", ""))


@app.route("/safe")
def safe():
    return "<h1>Hello " + escape(request.args["name"]) + "</h1>"


@app.route("/static")
def static_page():
    return Markup("<b>Welcome</b>")


def helper(name):
    return "<p>" + name + "</p>"


@app.route("/plain")
def plain():
    # Sent as plain text, so not HTML; the rule does not read the headers.
    return f"You searched for {request.args['q']}", 200, {"Content-Type": "text/plain"}  # known-fp: py/xss
