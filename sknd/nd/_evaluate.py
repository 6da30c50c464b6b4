"""The band-math evaluator behind :func:`sknd.catalogue.evaluate_formula`.

A small operator-precedence (shunting-yard) parser of the grammar the
exported formulas use: numbers, band names, ``+ - * /``, unary signs,
parentheses and ``abs(...)``. numpy only; no torch.
"""

from __future__ import annotations

import operator
import re

import numpy as np

__all__ = ["Evaluator"]

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[^\W\d]\w*)|(?P<op>[-+*/()]))"
)
_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
# Binding strength: unary signs above * and /, above + and -, as in Python.
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "pos": 3}
_GRAMMAR = "numbers, band names, + - * /, unary signs, parentheses and abs(...)"


def _as_float(value):
    """Integer, boolean and float16 band values as float64; others as they are."""
    dtype = getattr(value, "dtype", None)
    kind, size = getattr(dtype, "kind", None), getattr(dtype, "itemsize", 8)
    if kind in ("i", "u", "b") or (kind == "f" and size < 4):
        return value.astype(np.float64)
    return value


class Evaluator:
    """Operator-precedence (shunting-yard) evaluation: operands are computed as
    operators are reduced, so memory holds one value per pending operator."""

    def __init__(self, formula: str, bands) -> None:
        self.formula, self.bands = formula, bands
        # (value, whether it is a plain number); the parser's expect-operand
        # state guarantees each operator finds its operands here.
        self.values: list[tuple] = []
        self.ops: list[str] = []  # operators, "(" and "abs("

    def fail(self, text: str, at: int):
        raise ValueError(f"The formula may only use {_GRAMMAR}; it has {text!r} at {at}.")

    def reduce(self, op: str, at: int) -> None:
        if op in ("neg", "pos", "abs("):
            value, constant = self.values.pop()
            fn = {"neg": operator.neg, "pos": operator.pos, "abs(": abs}[op]
            self.values.append((fn(value), constant))
            return
        (right, right_const), (left, left_const) = self.values.pop(), self.values.pop()
        if op == "/" and right_const and left_const and right == 0:
            raise ValueError(f"The formula divides a constant by zero (at {at}).")
        self.values.append((_BINARY[op](left, right), right_const and left_const))

    def band(self, name: str):
        try:
            return _as_float(self.bands[name])
        except (KeyError, IndexError):
            names = list(self.bands.keys()) if hasattr(self.bands, "keys") else "?"
            raise ValueError(
                f"The formula uses band {name!r}, which the bands lack; they have {names}."
            ) from None

    def run(self):
        """The formula's value: one pass over its tokens, one step per token."""
        text, pos = self.formula, 0
        self.expect_operand = True
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos == len(text):
                break
            match = _TOKEN.match(text, pos)
            if match is None:
                self.fail(text[pos : pos + 10], pos)
            at, pos = match.start(match.lastgroup), match.end()
            token = match.group(match.lastgroup)
            if match.lastgroup in ("number", "name") and not self.expect_operand:
                raise ValueError(f"Not a formula: {text!r} (an operator is missing at {at}).")
            if match.lastgroup == "number":
                self.number(token, at)
            elif match.lastgroup == "name":
                after = _TOKEN.match(text, pos)
                if after is not None and after.group("op") == "(":  # a function call
                    if token != "abs":
                        self.fail(f"{token}(", at)
                    self.ops.append("abs(")
                    pos = after.end()
                else:
                    self.values.append((self.band(token), False))
                    self.expect_operand = False
            elif token == "(":
                if not self.expect_operand:
                    self.fail("(", at)
                self.ops.append("(")
            elif token == ")":
                self.close(at)
            else:
                self.operator(token, at)
        return self.finish()

    def number(self, token: str, at: int) -> None:
        value = float(token)  # too many digits give inf, not an error
        if not np.isfinite(value):
            raise ValueError(f"The constant {token} is too large for a float (at {at}).")
        self.values.append((value, True))
        self.expect_operand = False

    def close(self, at: int) -> None:
        """A ``)``: reduce back to its ``(`` (or ``abs(``, which then applies)."""
        if self.expect_operand:
            raise ValueError(f"Not a formula: {self.formula!r} (an operand is missing at {at}).")
        while self.ops and self.ops[-1] not in ("(", "abs("):
            self.reduce(self.ops.pop(), at)
        if not self.ops:
            raise ValueError(f"Not a formula: {self.formula!r} (unmatched ')' at {at}).")
        if self.ops.pop() == "abs(":
            self.reduce("abs(", at)

    def operator(self, token: str, at: int) -> None:
        """``+ - * /``: a sign where an operand is due, else a binary operator."""
        if self.expect_operand:  # a sign, or an operator with no operand before it
            if token not in "+-":
                self.fail(self.formula[at : at + 10], at)
            self.ops.append("neg" if token == "-" else "pos")
            return
        while (
            self.ops
            and self.ops[-1] in _PRECEDENCE
            and _PRECEDENCE[self.ops[-1]] >= _PRECEDENCE[token]
        ):
            self.reduce(self.ops.pop(), at)
        self.ops.append(token)
        self.expect_operand = True

    def finish(self):
        text = self.formula
        if self.expect_operand:
            raise ValueError(f"Not a formula: {text!r} (it ends where an operand is due).")
        while self.ops:
            op = self.ops.pop()
            if op in ("(", "abs("):
                raise ValueError(f"Not a formula: {text!r} (an unclosed '(').")
            self.reduce(op, len(text))
        return self.values[0][0]
