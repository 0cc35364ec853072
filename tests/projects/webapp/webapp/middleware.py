from django.utils.deprecation import MiddlewareMixin

from .cookie_codec import decode_session


class SessionMiddleware(MiddlewareMixin):
    # Django calls the hooks of a middleware with the request.
    def process_request(self, request):
        request.session = decode_session(request.COOKIES.get("sessionid"))


class NewStyleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.session = decode_session(request.COOKIES["sessionid"])
        return self.get_response(request)
