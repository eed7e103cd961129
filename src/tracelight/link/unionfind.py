"""Disjoint sets over string keys, the core of grouping linked posts."""

from __future__ import annotations


class UnionFind:
    """Union by size with path halving: near-constant time per operation, memory
    proportional to the keys seen, which is what lets linking stream over selectors."""

    __slots__ = ("_parent", "_size")

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._size: dict[str, int] = {}

    def add(self, key: str) -> None:
        if key not in self._parent:
            self._parent[key] = key
            self._size[key] = 1

    def find(self, key: str) -> str:
        parent = self._parent
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def root(self, key: str) -> str:
        """The representative of ``key``; a key never added is its own group."""
        return self.find(key) if key in self._parent else key

    def union(self, a: str, b: str) -> str:
        self.add(a)
        self.add(b)
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return root_a
        if self._size[root_a] < self._size[root_b]:
            root_a, root_b = root_b, root_a
        self._parent[root_b] = root_a
        self._size[root_a] += self._size[root_b]
        return root_a

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key in self._parent:
            out.setdefault(self.find(key), []).append(key)
        return out
