from . import test_conformance
