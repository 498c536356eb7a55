"""One page of a bucket listing: prefix, delimiter (common prefixes), start-after, max-keys."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ListingPage:
    keys: list[str] = field(default_factory=list)
    common_prefixes: list[str] = field(default_factory=list)
    truncated: bool = False
    # The last key or common prefix on the page: where the next page starts after.
    last: str = ""

    @property
    def count(self) -> int:
        return len(self.keys) + len(self.common_prefixes)


def list_keys(
    sorted_keys: list[str],
    *,
    prefix: str,
    delimiter: str,
    start_after: str,
    max_keys: int,
) -> ListingPage:
    """Walk ``sorted_keys`` in order, grouping by ``delimiter``.

    S3 lists in UTF-8 binary order, which is the code-point order Python sorts strings in.
    """
    page = ListingPage()
    if max_keys <= 0:
        return page
    for key in sorted_keys:
        if not key.startswith(prefix) or key <= start_after:
            continue
        entry, is_prefix = key, False
        if delimiter:
            cut = key.find(delimiter, len(prefix))
            if cut >= 0:
                entry, is_prefix = key[: cut + len(delimiter)], True
        if is_prefix and page.common_prefixes and page.common_prefixes[-1] == entry:
            continue
        if is_prefix and entry <= start_after:
            continue
        if page.count >= max_keys:
            page.truncated = True
            break
        (page.common_prefixes if is_prefix else page.keys).append(entry)
        page.last = entry
    return page
