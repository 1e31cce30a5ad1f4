import os
import subprocess
from subprocess import check_output as out

from flask import Flask, request

app = Flask(__name__)


@app.route("/ping")
def ping():
    host = request.args["host"]
    return subprocess.run(f"ping -c 1 {host}", shell=True, capture_output=True).stdout  # expect: py/command-injection


@app.route("/backup")
def backup():
    name = request.form.get("name")
    os.system("tar czf /tmp/%s.tgz /data" % name)  # expect: py/command-injection
    return "ok"


@app.route("/grep")
def grep():
    cmd = "grep " + request.args["pattern"] + " app.log"
    return out(cmd, shell=True)  # expect: py/command-injection


@app.route("/tool")
def tool():
    return subprocess.check_output([request.args["tool"], "--version"])  # expect: py/command-injection


def rotate(path):
    os.popen("gzip " + path)  # expect: py/command-injection
