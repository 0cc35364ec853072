import json
import pickle

from .handler_base import AppHandler, BaseHandler, BaseView, Plain


class UploadHandler(BaseHandler):
    def post(self):
        return pickle.loads(self.request.body)  # expect: PKL101@16 "self.request.body"


class DeepHandler(AppHandler):
    def put(self):
        return pickle.loads(self.get_argument("blob").encode())  # expect: PKL101@16 "self.get_argument('blob')"


class JsonHandler(BaseHandler):
    def post(self):
        return json.loads(self.request.body)


class UploadView(BaseView):
    def post(self, request):
        return pickle.loads(request.body)  # expect: PKL101@16 "request (line 23)"


class NotAView(Plain):
    def post(self, request):
        return pickle.loads(request.body)  # expect: PKL102@16
