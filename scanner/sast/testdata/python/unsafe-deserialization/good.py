import json

import yaml
from flask import Flask, request

app = Flask(__name__)


@app.route("/import", methods=["POST"])
def import_settings():
    settings = yaml.safe_load(request.data)
    return settings


def load(stream):
    return yaml.load(stream, Loader=yaml.SafeLoader)


def load_fast(stream):
    return yaml.load(stream, yaml.CSafeLoader)


@app.route("/restore", methods=["POST"])
def restore():
    return json.loads(request.data)
