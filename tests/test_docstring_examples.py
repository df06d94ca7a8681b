"""Every ufunc's docstring example runs and prints what it says (doctest, ELLIPSIS)."""
import doctest
from operator import attrgetter

import pytest

import gelu_c
from gelu_c import registry


@pytest.mark.parametrize("name", registry.names(tier=None, params=None))
def test_docstring_example(name):
    uf = attrgetter(name)(gelu_c)
    test = doctest.DocTestParser().get_doctest(uf.__doc__, {}, name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=lambda s: None)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0 and result.failed == 0, name
