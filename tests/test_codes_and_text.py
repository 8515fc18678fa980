"""Join codes and text cleaning, as pure functions: no app, no database."""

from __future__ import annotations

import pytest

from facilitator.domain import codes
from facilitator.domain.errors import Invalid
from facilitator.domain.text import clean, client_key

# -- codes ----------------------------------------------------------------------------------


def test_new_codes_are_eight_characters_of_crockfords_alphabet() -> None:
    made = [codes.new_code() for _ in range(200)]
    assert all(len(code) == 8 for code in made)
    assert set("".join(made)) <= set(codes.ALPHABET)
    assert not set("".join(made)) & set("ILOU")
    assert len(set(made)) == len(made)  # 40 random bits: no repeats among a few hundred


def test_every_new_code_reads_back_as_itself_plain_or_grouped() -> None:
    for _ in range(100):
        code = codes.new_code()
        assert codes.normalise(code) == code
        assert codes.normalise(codes.display(code)) == code
        assert codes.normalise(code.lower()) == code


@pytest.mark.parametrize(
    "typed",
    [
        "K7QM2XPD",
        "k7qm2xpd",
        "K7QM-2XPD",
        "k7qm-2xpd",
        " K7QM 2XPD ",
        "K7-QM-2X-PD",
        "K7QM\t2XPD\n",
    ],
)
def test_case_spaces_and_dashes_do_not_matter(typed: str) -> None:
    assert codes.normalise(typed) == "K7QM2XPD"


@pytest.mark.parametrize(
    ("typed", "code"),
    [("K0QM-21PD", "K0QM21PD"), ("KOQM-2IPD", "K0QM21PD"), ("koqm-2lpd", "K0QM21PD")],
)
def test_letters_mistaken_for_digits_are_read_as_the_digits(typed: str, code: str) -> None:
    assert codes.normalise(typed) == code


@pytest.mark.parametrize(
    "typed",
    ["", "K7QM2XP", "K7QM2XPDX", "K7QM2XPU", "K7QM_2XPD", "K7QM.2XPD", "K7QM2XP!", "К7QM2XPD"],
)
def test_what_cannot_be_a_code_is_none(typed: str) -> None:
    assert codes.normalise(typed) is None


def test_codes_are_shown_in_two_groups_of_four() -> None:
    assert codes.display("K7QM2XPD") == "K7QM-2XPD"


# -- text -----------------------------------------------------------------------------------


def refused(text: object, message: str, limit: int = 500, multiline: bool = True) -> None:
    with pytest.raises(Invalid) as refusal:
        clean(text, limit=limit, multiline=multiline)
    assert refusal.value.message == message


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Fund CERT exchanges \n", "Fund CERT exchanges"),
        ("line one\r\nline two\rline three", "line one\nline two\nline three"),
        ("para one\n\n\n\n\npara two", "para one\n\npara two"),
        ("tab\tseparated", "tab separated"),
        ("cafe\u0301", "café"),  # combining accent composed (NFC)
        ("Ünïcödé and emoji 🎉 stay", "Ünïcödé and emoji 🎉 stay"),
    ],
)
def test_multiline_text_is_normalised(typed: str, stored: str) -> None:
    assert clean(typed, limit=500) == stored


def test_single_line_text_collapses_all_whitespace() -> None:
    assert clean("  Ana \n  Lopez\t\tG. ", limit=60, multiline=False) == "Ana Lopez G."


def test_optional_text_may_be_empty_but_required_text_may_not() -> None:
    assert clean("   ", limit=60, required=False) == ""
    for blank in ["", "   ", "\n\n", "\t"]:
        refused(blank, "Please write something first.")


def test_the_limit_counts_the_cleaned_text() -> None:
    assert clean("x" * 500, limit=500) == "x" * 500
    assert clean("  " + "x" * 500 + "  \n", limit=500) == "x" * 500
    assert clean("e\u0301" * 5, limit=5) == "é" * 5  # 10 code points typed, 5 after NFC
    refused("x" * 501, "That is 501 characters; the limit is 500. Please shorten it.")
    refused("abcdef", "That is 6 characters; the limit is 5. Please shorten it.", limit=5)


@pytest.mark.parametrize(
    "control", ["\x00", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80", "\x9f"]
)
def test_control_characters_are_refused(control: str) -> None:
    refused(f"before{control}after", "That text holds control characters. Please retype it.")
    refused(
        f"before{control}after",
        "That text holds control characters. Please retype it.",
        multiline=False,
    )


def test_what_is_not_text_is_refused() -> None:
    for value in [None, 42, b"bytes", ["list"]]:
        refused(value, "Please send text.")
    refused("lone \ud800 surrogate", "That text holds characters we cannot store.")


@pytest.mark.parametrize("key", ["abcdefgh", "key-ana-0001", "A_b-9" * 12 + "abcd", "x" * 64])
def test_client_keys_of_8_to_64_url_safe_characters_are_accepted(key: str) -> None:
    assert client_key(key) == key


@pytest.mark.parametrize(
    "key", ["", "abcdefg", "x" * 65, "has space1", "semi;colon", "ünïcode-key", None, 12345678]
)
def test_other_client_keys_are_refused(key: object) -> None:
    with pytest.raises(Invalid) as refusal:
        client_key(key)
    assert refusal.value.message == "This submission has no valid id. Please reload the page."
