import os
import shlex
import subprocess

from flask import Flask, request

app = Flask(__name__)
ALLOWED = {"db.internal", "cache.internal"}


@app.route("/ping")
def ping():
    host = request.args["host"]
    if host not in ALLOWED:
        return "unknown host", 400
    return subprocess.run(["ping", "-c", "1", host], capture_output=True).stdout


@app.route("/grep")
def grep():
    pattern = shlex.quote(request.args["pattern"])
    return subprocess.check_output("grep " + pattern + " app.log", shell=True)


def status():
    os.system("uptime")
    return subprocess.run("git status", shell=True, check=True)


@app.route("/trace")
def trace():
    host = request.args["host"]
    cmd = ["traceroute", host]
    return subprocess.run(cmd, capture_output=True).stdout
