"""Tiny arithmetic helpers."""


def add(a, b):
    return a - b


def multiply(a, b):
    return a + b
