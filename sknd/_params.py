"""What sknd takes from scikit-learn's private API, and the parameter declarations.

Each public estimator lists what each constructor parameter accepts in a
``_parameter_constraints`` table, in scikit-learn's form (``Interval``,
``StrOptions``, types, ``"boolean"``, ...), plus the few constraints below that
scikit-learn's types cannot say (a sequence of widths, callbacks, a torch
device, band pairs). Subclasses merge their parents' tables with ``{**Parent.
_parameter_constraints, ...}``. :meth:`ParamsMixin._validate_params` runs at the
start of ``fit``, before any data check, so a bad value fails with an error
that names the parameter, what it accepts and what it got.

Every private scikit-learn import of the package lives here (the constraint
types, the feature-name checks and the ``set_output`` container): a change in
scikit-learn's private API touches this file only. This module must not import torch (the classical
filters, metrics and datasets use it).
"""

from __future__ import annotations

import functools
import inspect
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn import get_config
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    RealNotInt,
    StrOptions,
    make_constraint,
)
from sklearn.utils._set_output import _get_container_adapter
from sklearn.utils.validation import (
    _check_feature_names,
    _check_feature_names_in,
    _check_sample_weight,
)

from ._warnings import warn_renamed

__all__ = [
    "BandPairs",
    "Callbacks",
    "Constraint",
    "Device",
    "Integral",
    "Interval",
    "InvalidParameterError",
    "OddInt",
    "Options",
    "ParamsMixin",
    "Real",
    "Range",
    "RealNotInt",
    "Sizes",
    "StrOptions",
    "Widths",
    "_check_feature_names",
    "_check_feature_names_in",
    "_check_sample_weight",
    "check_params",
    "validate_call",
    "wrap_output",
]


def wrap_output(estimator, data: np.ndarray, X, columns) -> object:
    """``data`` in the container that ``estimator.set_output`` (or the global
    ``transform_output``) asks for, with these ``columns`` and ``X``'s row index;
    ``data`` itself under ``"default"``.

    For transformers whose output width follows the input's, which scikit-learn's
    automatic wrapping (columns from ``get_feature_names_out()``, of the fit
    width) cannot name.
    """
    adapter = _get_container_adapter("transform", estimator)
    return data if adapter is None else adapter.create_container(data, X, columns=columns)


def _is_int(value) -> bool:
    """An integer (Python or numpy), not a bool."""
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))


def _is_real(value) -> bool:
    """A finite real number (Python or numpy), not a bool."""
    return (
        isinstance(value, Real) and not isinstance(value, (bool, np.bool_)) and np.isfinite(value)
    )


class Constraint:
    """A constraint scikit-learn's types cannot express: ``is_satisfied_by`` and a
    description that completes "must be ..."."""

    hidden = False

    def is_satisfied_by(self, value) -> bool:  # pragma: no cover - interface
        raise NotImplementedError


class Sizes(Constraint):
    """A tuple or list of integers >= 1, of a given ``length`` or any (empty
    included); with ``scalar``, one such integer too."""

    def __init__(self, length: int | None = None, *, scalar: bool = False) -> None:
        self.length = length
        self.scalar = scalar

    def is_satisfied_by(self, value) -> bool:
        if _is_int(value):
            return self.scalar and value >= 1
        if not isinstance(value, (tuple, list)):
            return False
        if self.length is not None and len(value) != self.length:
            return False
        return all(_is_int(v) and v >= 1 for v in value)

    def __str__(self) -> str:
        many = "a tuple" if self.length is None else f"a tuple of {self.length}"
        return f"{many} ints >= 1" + (" (or one int >= 1)" if self.scalar else "")


class Widths(Sizes):
    """Layer widths: a tuple of integers >= 1 (``()`` allowed), or one integer."""

    def __init__(self) -> None:
        super().__init__(scalar=True)


class Range(Constraint):
    """A ``(low, high)`` pair of numbers with ``low <= high`` and ``low`` above
    ``bound`` (strictly, unless ``closed``); ``integer`` asks for integers."""

    def __init__(self, bound=None, *, closed: bool = False, integer: bool = False) -> None:
        self.bound = bound
        self.closed = closed
        self.integer = integer

    def is_satisfied_by(self, value) -> bool:
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            return False
        kind = _is_int if self.integer else _is_real
        if not all(kind(v) for v in value):
            return False
        low, high = value
        if self.bound is not None and not (low >= self.bound if self.closed else low > self.bound):
            return False
        return low <= high

    def __str__(self) -> str:
        what = "ints" if self.integer else "finite numbers"
        text = f"a (low, high) pair of {what} with low <= high"
        if self.bound is not None:
            text += f" and low {'>=' if self.closed else '>'} {self.bound}"
        return text


class OddInt(Constraint):
    """An odd integer >= 1."""

    def is_satisfied_by(self, value) -> bool:
        return _is_int(value) and value >= 1 and value % 2 == 1

    def __str__(self) -> str:
        return "an odd int >= 1"


class Callbacks(Constraint):
    """A list or tuple of skorch callbacks, each bare or as ``(name, callback)``.

    Checked by duck type (skorch's callbacks all have ``on_epoch_end``), so
    this module needs neither skorch nor torch.
    """

    @staticmethod
    def _is_callback(cb) -> bool:
        if isinstance(cb, tuple) and len(cb) == 2 and isinstance(cb[0], str):
            cb = cb[1]
        return not isinstance(cb, type) and callable(getattr(cb, "on_epoch_end", None))

    def is_satisfied_by(self, value) -> bool:
        return isinstance(value, (list, tuple)) and all(self._is_callback(cb) for cb in value)

    def __str__(self) -> str:
        return "a list of skorch callbacks (or (name, callback) tuples)"


class Device(Constraint):
    """A torch device: a string torch parses (``"cpu"``, ``"cuda:0"``) or a
    ``torch.device``."""

    def is_satisfied_by(self, value) -> bool:
        if type(value).__name__ == "device" and type(value).__module__ == "torch":
            return True
        if not isinstance(value, str):
            return False
        import torch  # only estimators that train with torch declare a device

        try:
            torch.device(value)
        except (RuntimeError, ValueError):
            return False
        return True

    def __str__(self) -> str:
        return 'a torch device such as "cpu" or "cuda"'


class BandPairs(Constraint):
    """A non-empty list of band pairs: each two band positions (ints) or names (str)."""

    @staticmethod
    def _is_band(band) -> bool:
        return isinstance(band, str) or (_is_int(band) and band >= 0)

    def is_satisfied_by(self, value) -> bool:
        if not isinstance(value, (list, tuple)) or not value:
            return False
        for pair in value:
            if isinstance(pair, str) or not isinstance(pair, (list, tuple)) or len(pair) != 2:
                return False
            if not all(self._is_band(b) for b in pair):
                return False
        return True

    def __str__(self) -> str:
        return "a non-empty list of (band, band) pairs, by position (int >= 0) or name (str)"


def _make(constraint):
    return constraint if isinstance(constraint, Constraint) else make_constraint(constraint)


def _accepts(constraint, value) -> bool:
    # scikit-learn's numeric intervals and options take True for 1 (a bool is
    # an Integral); here a bool is a number only where "boolean" says so.
    if isinstance(value, (bool, np.bool_)) and isinstance(constraint, (Interval, Options)):
        return False
    # An infinite rate, tolerance or weight is never meant: intervals of
    # reals here are of finite reals, as their "[0, inf)" says.
    if isinstance(constraint, Interval) and isinstance(value, Real) and not np.isfinite(value):
        return False
    return constraint.is_satisfied_by(value)


def check_params(constraints: dict, params: dict, caller: str) -> None:
    """Raise ``InvalidParameterError`` for the first value no constraint accepts.

    ``constraints`` maps names to lists of constraints (any one suffices), or
    to ``"no_validation"``. The message has scikit-learn's form: "The 'x'
    parameter of Caller must be ... Got ... instead." Skipped inside
    ``sklearn.config_context(skip_parameter_validation=True)``.
    """
    if get_config().get("skip_parameter_validation", False):
        return
    for name, value in params.items():
        allowed = constraints.get(name, "no_validation")
        if allowed == "no_validation":
            continue
        allowed = [_make(c) for c in allowed]
        if any(_accepts(c, value) for c in allowed):
            continue
        shown = [str(c) for c in allowed if not c.hidden]
        text = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
        raise InvalidParameterError(
            f"The {name!r} parameter of {caller} must be {text}. Got {value!r} instead."
        )


class ParamsMixin:
    """``_validate_params`` over ``_parameter_constraints``, sknd's own types included.

    Overrides scikit-learn's method of the same name (which knows only its own
    constraint types); estimators call it first thing in ``fit``.
    """

    _parameter_constraints: ClassVar[dict] = {}

    def _validate_params(self) -> None:
        check_params(self._parameter_constraints, self.get_params(deep=False), type(self).__name__)


def estimator_init(positional: str | tuple[str, ...], **defaults):
    """An estimator's ``__init__``, written once for parameters that estimators share.

    ``defaults`` maps every constructor parameter to its default, in signature
    order; ``positional`` names the first one (or the first few) that may be
    passed by position (the others are keyword-only, as scikit-learn asks).
    The ``__init__`` stores each argument unchanged under its own name and
    nothing else, and carries an explicit ``__signature__``: scikit-learn's
    ``get_params``, ``clone`` and ``repr`` read the parameters from it (a
    ``**kwargs`` signature would hide them), and ``help()`` and
    ``inspect.signature`` show them. Estimators that share a table of
    training parameters build their ``__init__`` from it
    (``sknd.nd._base.TRAINING_DEFAULTS``) instead of repeating twenty lines.
    """
    positional = (positional,) if isinstance(positional, str) else tuple(positional)
    if tuple(defaults)[: len(positional)] != positional:
        raise ValueError(f"{positional} must be the first of the parameters, in order.")
    kinds = [inspect.Parameter.POSITIONAL_OR_KEYWORD] * len(positional) + [
        inspect.Parameter.KEYWORD_ONLY
    ] * (len(defaults) - len(positional))
    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    signature = inspect.Signature(
        [self_param]
        + [inspect.Parameter(n, k, default=v) for (n, v), k in zip(defaults.items(), kinds)]
    )

    def __init__(self, *args, **kwargs):
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError as err:  # name the estimator, as a written __init__ would
            raise TypeError(f"{type(self).__name__}.__init__() {err}") from None
        bound.apply_defaults()
        for name, value in list(bound.arguments.items())[1:]:
            setattr(self, name, value)

    __init__.__signature__ = signature
    return __init__


def validate_call(constraints: dict):
    """Decorator: check a public function's arguments against ``constraints``.

    The function-level twin of :meth:`ParamsMixin._validate_params`, for the
    dataset generators and metrics.
    """

    def decorate(func):
        signature = inspect.signature(func)
        # A shared table may declare more than one function takes.
        declared = {k: v for k, v in constraints.items() if k in signature.parameters}

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            check_params(declared, bound.arguments, func.__name__)
            return func(*args, **kwargs)

        wrapper._parameter_constraints = declared
        return wrapper

    return decorate


def renamed(estimator, old: str, new: str, convert=None):
    """The value of parameter ``new``, or of its former name ``old`` if that is set.

    A renamed parameter keeps working for one release: its constructor takes
    ``old="deprecated"`` by default, and a value given there wins, with a
    FutureWarning that says what to write instead. ``convert`` maps an old
    value to the new parameter's vocabulary.
    """
    value = getattr(estimator, old)
    if isinstance(value, str) and value == "deprecated":
        return getattr(estimator, new)
    value = convert(value) if convert is not None else value
    warn_renamed(type(estimator).__name__, old, new, value)
    return value
