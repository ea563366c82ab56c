"""Message memories ("SM", "ME", "SR", ...) holding PDUs the way +CMGR/+CMGL print them."""

from dataclasses import dataclass

# 27.005 <stat> in PDU mode
REC_UNREAD, REC_READ, STO_UNSENT, STO_SENT, ALL = 0, 1, 2, 3, 4


@dataclass
class StoredMessage:
    stat: int
    hex: str  # with the SMSC prefix, as the modem prints it
    tpdu_length: int


class Memory:
    def __init__(self, name: str, capacity: int, first_index: int) -> None:
        self.name = name
        self.capacity = capacity
        self.first_index = first_index
        self.slots: dict[int, StoredMessage] = {}

    @property
    def indices(self) -> range:
        return range(self.first_index, self.first_index + self.capacity)

    @property
    def used(self) -> int:
        return len(self.slots)

    def store(self, message: StoredMessage) -> int | None:
        """Put the message in the lowest free slot; None when full."""
        for index in self.indices:
            if index not in self.slots:
                self.slots[index] = message
                return index
        return None

    def read(self, index: int) -> StoredMessage | None:
        """Return the message, marking it read as +CMGR/+CMGL do."""
        message = self.slots.get(index)
        if message is not None and message.stat == REC_UNREAD:
            message.stat = REC_READ
        return message

    def listing(self, stat: int) -> list[tuple[int, StoredMessage]]:
        return [
            (index, message)
            for index, message in sorted(self.slots.items())
            if stat == ALL or message.stat == stat
        ]

    def delete(self, index: int, flag: int = 0) -> None:
        """AT+CMGD semantics: flag 0 deletes `index`, 1-4 delete by status."""
        if flag == 0:
            self.slots.pop(index, None)
            return
        doomed = {1: {REC_READ}, 2: {REC_READ, STO_SENT}, 3: {REC_READ, STO_SENT, STO_UNSENT}}
        for i, message in list(self.slots.items()):
            if flag == 4 or message.stat in doomed[flag]:
                del self.slots[i]


def make_memories(sizes: tuple[tuple[str, int], ...], first_index: int) -> dict[str, Memory]:
    return {name: Memory(name, capacity, first_index) for name, capacity in sizes}
