r"""What a check found (:class:`Finding`) and the table of all of them (:class:`Report`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mathnn.slips import SLIPS


@dataclass(frozen=True)
class Finding:
    r"""The result of one check.

    Attributes
    ----------
    check : str
        What was checked (``"gradient W"``, ``"accumulation"``, ...).
    passed : bool
        Whether the check passed.
    slip : str or None
        The id of the slip found (a key of :data:`~mathnn.SLIPS`); None when passed.
    error : float or None
        The largest relative error, where the check measures one.
    message : str
        One sentence: what was found.

    Examples
    --------
    >>> from mathnn import Finding
    >>> Finding("gradient W", False, "sign", 2.0, "the negative of the right gradient").slip
    'sign'
    """

    check: str
    passed: bool
    slip: str | None
    error: float | None
    message: str


@dataclass
class Report:
    r"""What :func:`check_module` or :func:`check_loss` found: one finding per check run.

    ``str(report)`` is a table with a line per check, then, for each failure, a
    sentence naming the slip and the URL of the section that explains it.

    Attributes
    ----------
    subject : str
        The name of what was checked.
    findings : list of Finding
        In the order the checks ran.

    Examples
    --------
    >>> from mathnn import Finding, Report
    >>> report = Report("MyTanh", [Finding("output shape", True, None, None, "(5, 3)")])
    >>> report.passed
    True
    >>> print(report)
    MyTanh: all 1 checks passed
      output shape       pass
    """

    subject: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(finding.passed for finding in self.findings)

    @property
    def slips(self) -> list[str]:
        """The slip ids of the failed checks, in order, each once."""
        return list(dict.fromkeys(f.slip for f in self.findings if f.slip is not None))

    def __str__(self) -> str:
        failed = [f for f in self.findings if not f.passed]
        total = len(self.findings)
        head = (
            f"{self.subject}: all {total} checks passed"
            if not failed
            else f"{self.subject}: {len(failed)} of {total} checks failed"
        )
        width = max([len(f.check) for f in self.findings] + [17])
        lines = [head]
        for f in self.findings:
            error = "" if f.error is None else f"{f.error:.1e}"
            line = f"  {f.check:<{width}}  {'pass' if f.passed else 'FAIL'}  {error:<8}"
            lines.append((line + "  " + (f.slip or "")).rstrip())
        for f in failed:
            slip = SLIPS[f.slip or "wrong"]
            lines.append(f"{f.check}: {f.message}")
            lines.append(f"  slip '{slip.id}' ({slip.title}): {slip.url}")
        return "\n".join(lines)
