"""Splitting an AT command line into commands (ITU-T V.250 §5.2-5.4).

`AT+CMEE=1;+CREG=2`, `ATE0V1`, `AT&F;E0` are all one line holding several
commands. Names are case-insensitive; quoted strings keep their case and may
hold `;` and `,`.
"""

from dataclasses import dataclass

EXTENDED_PREFIXES = "+^$%*#"


class ParseError(ValueError):
    pass


@dataclass(frozen=True)
class Command:
    name: str  # "+CMGS", "E", "&F", "S7", "^CURC"
    op: str  # "exec", "set" (=args), "read" (?), "test" (=?)
    args: tuple[str, ...] = ()  # quotes removed; "" for an omitted value
    text: str = ""  # as typed, for transcripts and error messages

    def int_arg(self, i: int, default: int | None = None) -> int:
        if i >= len(self.args) or self.args[i] == "":
            if default is None:
                raise ParseError(f"{self.name}: argument {i + 1} missing")
            return default
        try:
            return int(self.args[i])
        except ValueError:
            raise ParseError(f"{self.name}: argument {i + 1} is not a number") from None


def parse_line(body: str) -> list[Command]:
    """Parse what follows the "AT" prefix."""
    commands = []
    i = 0
    while i < len(body):
        c = body[i]
        if c in " ;":
            i += 1
        elif c in EXTENDED_PREFIXES:
            end = _extended_end(body, i)
            commands.append(_extended(body[i:end]))
            i = end
        else:
            command, i = _basic(body, i)
            commands.append(command)
    return commands


def _extended_end(body: str, start: int) -> int:
    quoted = False
    for i in range(start, len(body)):
        if body[i] == '"':
            quoted = not quoted
        elif body[i] == ";" and not quoted:
            return i
    if quoted:
        raise ParseError("unterminated string")
    return len(body)


def _extended(text: str) -> Command:
    i = 1
    while i < len(text) and (text[i].isalnum() or text[i] in "_"):
        i += 1
    name, rest = text[:i].upper(), text[i:].strip()
    if len(name) < 2:
        raise ParseError(f"bad command name in {text!r}")
    if rest == "":
        return Command(name, "exec", (), text)
    if rest == "?":
        return Command(name, "read", (), text)
    if rest == "=?":
        return Command(name, "test", (), text)
    if rest.startswith("="):
        return Command(name, "set", _split_args(rest[1:]), text)
    raise ParseError(f"unexpected {rest!r} after {name}")


def _split_args(text: str) -> tuple[str, ...]:
    args, current, quoted = [], [], False
    for c in text:
        if c == '"':
            quoted = not quoted
        elif c == "," and not quoted:
            args.append("".join(current).strip())
            current = []
        else:
            current.append(c)
    args.append("".join(current).strip())
    return tuple(args)


def _basic(body: str, i: int) -> tuple[Command, int]:
    start = i
    name = body[i].upper()
    i += 1
    if name == "&":
        if i >= len(body):
            raise ParseError("lone &")
        name += body[i].upper()
        i += 1
    elif name == "S":
        j = i
        while j < len(body) and body[j].isdigit():
            j += 1
        name, i = "S" + body[i:j], j
        if i < len(body) and body[i] == "?":
            return Command(name, "read", (), body[start : i + 1]), i + 1
        if i < len(body) and body[i] == "=":
            j = i + 1
            while j < len(body) and body[j].isdigit():
                j += 1
            return Command(name, "set", (body[i + 1 : j],), body[start:j]), j
        return Command(name, "exec", (), body[start:i]), i
    elif name == "D":
        # Dial takes the rest of the line.
        return Command("D", "set", (body[i:],), body[start:]), len(body)
    elif not name.isalpha():
        raise ParseError(f"unexpected {name!r}")
    j = i
    while j < len(body) and body[j].isdigit():
        j += 1
    args = (body[i:j],) if j > i else ()
    return Command(name, "set" if args else "exec", args, body[start:j]), j
