"""Final result codes and the error texts printed with AT+CMEE=2."""

CME_TEXT = {
    0: "phone failure",
    3: "operation not allowed",
    4: "operation not supported",
    10: "SIM not inserted",
    11: "SIM PIN required",
    12: "SIM PUK required",
    13: "SIM failure",
    14: "SIM busy",
    16: "incorrect password",
    21: "invalid index",
    30: "no network service",
    100: "unknown",
}

CMS_TEXT = {
    300: "ME failure",
    302: "operation not allowed",
    303: "operation not supported",
    304: "invalid PDU mode parameter",
    310: "SIM not inserted",
    311: "SIM PIN required",
    313: "SIM failure",
    314: "SIM busy",
    316: "SIM PUK required",
    321: "invalid memory index",
    322: "memory full",
    330: "SMSC address unknown",
    331: "no network service",
    332: "network timeout",
    340: "no +CNMA acknowledgement expected",
    500: "unknown error",
}


class CommandError(Exception):
    """Ends a command line with an error result.

    kind "cme" / "cms" give +CME ERROR / +CMS ERROR (subject to AT+CMEE);
    kind None gives the plain ERROR.
    """

    def __init__(self, kind: str | None = None, code: int = 0) -> None:
        super().__init__(f"{kind or 'plain'} error {code}")
        self.kind = kind
        self.code = code

    def result(self, cmee: int) -> str:
        if self.kind is None or cmee == 0:
            return "ERROR"
        prefix = "+CME ERROR" if self.kind == "cme" else "+CMS ERROR"
        if cmee == 1:
            return f"{prefix}: {self.code}"
        table = CME_TEXT if self.kind == "cme" else CMS_TEXT
        return f"{prefix}: {table.get(self.code, 'unknown error')}"


def cme(code: int) -> CommandError:
    return CommandError("cme", code)


def cms(code: int) -> CommandError:
    return CommandError("cms", code)
