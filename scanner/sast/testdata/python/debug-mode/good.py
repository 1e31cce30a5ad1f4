import os

from flask import Flask

app = Flask(__name__)
DEBUG = True


@app.route("/")
def index():
    return "hello"


def run_tests(runner):
    runner.run(verbose=True)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8080, debug=os.environ.get("FLASK_DEBUG") == "1")
