r"""The slip catalogue: the wrong results that :func:`~mathnn.check_module` and
:func:`~mathnn.check_loss` recognise, each with the section of the site that explains it.
"""

from __future__ import annotations

from dataclasses import dataclass

BASE_URL = "https://mathnn.readthedocs.io/en/latest/"
"""Where the site lives; every slip's URL starts with it."""


@dataclass(frozen=True)
class Slip:
    r"""One entry of the catalogue: a wrong result that a check can recognise.

    Attributes
    ----------
    id : str
        The fixed public name, such as ``"transposed"``.
    title : str
        A few words.
    explanation : str
        One or two sentences: what the wrong result is and where it comes from.
    page : str
        The page of the site that explains it, without ``.html``.
    anchor : str
        The section of that page; empty means ``"slip-" + id``.

    Examples
    --------
    >>> from mathnn import SLIPS
    >>> SLIPS["transposed"].url
    'https://mathnn.readthedocs.io/en/latest/linear.html#common-slip'
    """

    id: str
    title: str
    explanation: str
    page: str = "own_module"
    anchor: str = ""

    @property
    def url(self) -> str:
        """``BASE_URL + page + ".html#" + anchor``."""
        return f"{BASE_URL}{self.page}.html#{self.anchor or 'slip-' + self.id}"


_CATALOGUE = [
    Slip(
        "wrong-shape",
        "wrong shape",
        "An array has not the shape the contract gives it: the output is batch first, "
        "and every gradient has the shape of its variable.",
    ),
    Slip(
        "sign",
        "wrong sign",
        "The gradient is the negative of the right one, as when the squared error is "
        "differentiated with respect to the target instead of the prediction.",
        "losses",
        "the-mean-over-the-batch",
    ),
    Slip(
        "factor",
        "constant factor",
        "The gradient is the right one times a constant, as when the 2 of the squared "
        "error is dropped.",
        "losses",
        "the-mean-over-the-batch",
    ),
    Slip(
        "batch-mean",
        "divided by the batch size",
        "The gradient is the right one divided by N: the contract sums the losses over "
        "the batch; the mean is the training loop's business.",
    ),
    Slip(
        "transposed",
        "transposed gradient",
        "The gradient is the transpose of the right one, such as Delta^T X for the W of "
        "Z = X W, whose gradient is X^T Delta.",
        "linear",
        "common-slip",
    ),
    Slip(
        "transposed-parameter",
        "transposed parameter",
        "The input gradient is the right one for the transposed weights: Delta W instead "
        "of Delta W^T, which only a square layer can compute.",
        "linear",
        "common-slip",
    ),
    Slip(
        "unflipped-kernel",
        "kernel not flipped",
        "The input gradient of a convolution is the right one for the kernel reversed "
        "along its taps: the full correlation of Delta needs the flipped kernel.",
        "convolution",
        "stride-1-a-full-correlation-with-the-flipped-kernel",
    ),
    Slip(
        "diagonal-only",
        "diagonal of the Jacobian only",
        "The input gradient keeps only the diagonal of each sample's Jacobian, "
        "dz_i/dx_i, as if the module were element-wise; the softmax's Jacobian is full.",
    ),
    Slip(
        "not-accumulated",
        "gradient overwritten",
        "backward_update_gradient replaces the gradients instead of adding to them.",
    ),
    Slip(
        "zero-grad",
        "gradient not reset",
        "zero_grad leaves a gradient that is not zero, or changes a parameter.",
    ),
    Slip(
        "ascent",
        "wrong update rule",
        "update_parameters does not take the step theta - eta g: a step up the gradient, "
        "a step that ignores eta, or no step.",
    ),
    Slip(
        "mutates-input",
        "input changed",
        "A method writes into the X or the delta it was given, which belong to the caller.",
    ),
    Slip(
        "upcast",
        "float32 turned float64",
        "A float32 module returns or stores float64 arrays, as when a float64 array or "
        "NumPy float64 scalar enters the arithmetic.",
    ),
    Slip(
        "mixes-samples",
        "samples mixed",
        "The output of one sample depends on the input of another: an operation runs "
        "over the batch axis.",
    ),
    Slip(
        "missing-log",
        "logarithm missing",
        "The cross-entropy is computed as -<y, p> instead of -<y, log p>.",
        "losses",
        "cross-entropy-on-probabilities",
    ),
    Slip("raises", "method raises", "A method of the contract raises an exception on valid input."),
    Slip("wrong", "wrong result", "The result is wrong and matches none of the known slips."),
]
SLIPS: dict[str, Slip] = {slip.id: slip for slip in _CATALOGUE}
"""The slip catalogue, keyed by slip id."""
