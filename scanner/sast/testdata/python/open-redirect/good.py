from flask import Flask, redirect, request, url_for

app = Flask(__name__)
PAGES = {"home": "/", "items": "/items"}


@app.route("/login/done")
def done():
    return redirect(url_for("home"))


@app.route("/go")
def go():
    return redirect(PAGES.get(request.args.get("page"), "/") and "/items")


@app.route("/old")
def old():
    return redirect("/new")
