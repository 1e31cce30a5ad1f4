from flask import Flask, request, render_template_string

app = Flask(__name__)


@app.route("/calc")
def calc():
    expr = request.args.get("expr", "")
    return str(eval(expr))  # expect: py/code-injection


@app.route("/run", methods=["POST"])
def run():
    code = request.get_json()["code"]
    exec(code)  # expect: py/code-injection
    return "ok"


@app.route("/hello")
def hello():
    template = "<h1>Hello " + request.args["name"] + "</h1>"
    return render_template_string(template)  # expect: py/code-injection


def django_view(request):
    return eval(request.GET["q"])  # expect: py/code-injection
