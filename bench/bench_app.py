"""The app as the benchmark serves it, plus a bare Flask route to compare with."""

from app import create_app

app = create_app()


@app.get("/bench/bare")
def bare():
    return "ok"
