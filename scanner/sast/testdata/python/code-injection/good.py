import ast
import json

from flask import Flask, request, render_template_string

app = Flask(__name__)
OPERATIONS = {"add": lambda a, b: a + b}


@app.route("/calc")
def calc():
    op = OPERATIONS[request.args.get("op", "add")]
    return str(op(int(request.args["a"]), int(request.args["b"])))


@app.route("/data", methods=["POST"])
def data():
    values = ast.literal_eval(request.form["values"])
    settings = json.loads(request.data)
    return {"values": values, "settings": settings}


@app.route("/hello")
def hello():
    return render_template_string("<h1>Hello {{ name }}</h1>", name=request.args["name"])


def constant():
    return eval("1 + 1")
