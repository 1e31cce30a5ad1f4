from flask import Flask
from flask_cors import CORS, cross_origin

app = Flask(__name__)
CORS(app, supports_credentials=True)  # expect: py/cors-credentials


@app.route("/me")
@cross_origin(origins="*", supports_credentials=True)  # expect: py/cors-credentials
def me():
    return {"name": "me"}
