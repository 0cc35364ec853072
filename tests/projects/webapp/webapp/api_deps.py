"""FastAPI dependencies that webapp/api_routes.py declares with ``Depends``."""
import pickle

from fastapi import Request


async def raw_body(request: Request) -> bytes:
    return await request.body()


def default_state() -> bytes:
    return pickle.dumps({"theme": "dark"})


def token_header(x_token: str) -> str:
    # FastAPI fills the parameter from the request (a header here).
    return x_token
