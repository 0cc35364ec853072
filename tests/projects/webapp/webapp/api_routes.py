import pickle

from fastapi import APIRouter, Depends

from .api_deps import default_state, raw_body, token_header

router = APIRouter()


@router.post("/state")
async def put_state(body: bytes = Depends(raw_body)):
    return pickle.loads(body)  # expect: PKL101@12 "request.body() in webapp/api_deps.py (line 8) through webapp.api_deps.raw_body()"


@router.post("/token")
async def put_token(token: str = Depends(token_header)):
    return pickle.loads(token.encode())  # expect: PKL101@12 "request data given to webapp.api_deps.token_header() (line 16)"


@router.get("/default")
async def get_default(blob: bytes = Depends(default_state)):
    return pickle.loads(blob)
