"""Re-exports: the views import the serializers from the package."""
from .serializers import JsonSerializer, PickleSerializer

__all__ = ["JsonSerializer", "PickleSerializer"]
