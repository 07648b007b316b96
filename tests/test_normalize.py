"""Pure normalization functions."""
import pytest

from pipeline.normalize import parse_duration, parse_number, parse_quantity, parse_strength, to_iso_date


@pytest.mark.parametrize(
    "text,value",
    [("ninety", 90), ("twenty-four", 24), ("one hundred twenty", 120), ("12", 12), ("seven", 7), ("twice", 2), ("banana", None)],
)
def test_numbers(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text,value",
    [
        ("#120", 120), ("# 60", 60), ("ninety count", 90), ("120 count", 120), ("QTY: 60", 60),
        ("12 sessions", 12), ("2x6", 12), ("2 times a week for 6 weeks", 12),
        ("3 visits per week for 4 weeks", 12), ("twelve (12) visits", 12), ("two times four visits (8)", 8),
        ("twice a week for 3 weeks", 6), ("2-3 times a week for 6 weeks", 18), ("1-2x / week x 4 weeks", 8),
        ("times 6", 6), ("#60 day supply", 60), ("Eight physical therapy sessions", 8), ("weekly", None),
        ("three to six treatments", 6), ("9 to 10 visits", 10), ("two or three injections", 3),
        ("two or three", 3), ("8 to 10 supervised visits", 10), ("Twelve more supervised visits", 12),
    ],
)
def test_quantities(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize(
    "text,values,unit",
    [
        ("10/325 mg", [10, 325], "mg"), ("350mg", [350], "mg"), ("7.5-325mg", [7.5, 325], "mg"),
        ("5 %", [5], "%"), ("10mcg / hr", [10], "mcg/hr"), ("106.32gm", [106.32], "g"), ("25mg/ml", [25], "mg/ml"),
    ],
)
def test_strengths(text, values, unit):
    assert parse_strength(text) == (values, unit)


def test_not_a_strength():
    assert parse_strength("#60") is None


@pytest.mark.parametrize(
    "text,iso",
    [
        ("August 13, 2009", "2009-08-13"), ("01/15/2015", "2015-01-15"), ("10-13-16", "2016-10-13"),
        ("Sept. 3, 2014", "2014-09-03"), ("9/6/2013", "2013-09-06"), ("02/30/2015", None), ("3/4/95", "1995-03-04"),
    ],
)
def test_dates(text, iso):
    assert to_iso_date(text) == iso


@pytest.mark.parametrize(
    "text,norm",
    [
        ("x 6 months", "6 months"), ("30 day supply", "30 days"), ("for one week", "1 week"), ("6-8 weeks", "8 weeks"),
        ("a day or two", "2 days"), ("several years", None),
    ],
)
def test_durations(text, norm):
    assert parse_duration(text) == norm


@pytest.mark.parametrize(
    "text,value",
    [
        ("x 6 months", "6 months"), ("30 day supply", "30 days"), ("6-8 weeks", "8 weeks"),
        ("two to three weeks", "3 weeks"), ("a year", "1 year"), ("for 30 minutes", "30 minutes"),
        ("6 hrs", "6 hours"),
    ],
)
def test_duration_ranges_and_lengths_in_words(text, value):
    from pipeline.normalize import parse_duration

    assert parse_duration(text) == value
