"""
The fast phone path gives exactly ``phonenumbers``' answers (MRG-1's phone normal form).

``leadcore._fastphone`` answers the common shapes without the parser; every answer must
equal the reference (``phonenumbers.parse`` + ``is_valid_number`` + ``format_number``),
which the benchmark also checks on every number of the million-lead file.
"""

from __future__ import annotations

import copy as copy_module
import random
from collections.abc import Callable, Iterator

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadcore import _fastphone, _phone

CODES = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
"""Every country calling code phonenumbers knows (geographic and not)."""
REGIONS = ["US", "CA", "GB", "DE", "FR", "IT", "IN", "BR", "AU", "JP", "MX", "AR", "RU", "CN"]
"""Default regions with various international and national prefixes."""
_TYPES = [
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.VOIP,
    phonenumbers.PhoneNumberType.UAN,
]


def _examples() -> list[tuple[int, str]]:
    """A valid example number of every region and type: (country code, national number)."""
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in _TYPES:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None and number.country_code is not None:
                found.append((number.country_code, str(number.national_number)))
    return found


EXAMPLES = _examples()


def _formats(rng: random.Random, count: int) -> list[str]:
    """Numbers written the ways CRM exports write them (as the benchmark generator does)."""
    found = []
    for _ in range(count):
        area = rng.choice([201, 212, 305, 415, 613, 403, 268, 787, 555, 123, 999, 800, 900])
        exchange = rng.randrange(100, 1000)
        line = rng.randrange(0, 10_000)
        found.extend(
            [
                f"({area}) {exchange}-{line:04d}",
                f"{area}-{exchange}-{line:04d}",
                f"{area}.{exchange}.{line:04d}",
                f"{area}{exchange}{line:04d}",
                f"+1 {area} {exchange} {line:04d}",
                f"+1-{area}-{exchange}-{line:04d}",
                f"1 ({area}) {exchange}-{line:04d}",
                f"+1{area}{exchange}{line:04d}",
                f" {area} {exchange} {line:04d} ",
                f"{area}-{exchange}-{line:04d} ext {rng.randrange(1, 999)}",
                f"011 44 20{rng.randrange(10**7, 10**8)}",
                f"+44 20 {rng.randrange(1000, 10000)} {rng.randrange(1000, 10000)}",
                f"+91 98{rng.randrange(100, 1000)} {rng.randrange(10**4, 10**5)} ",
            ]
        )
    return found


PLACEHOLDERS = ["", "0000000000", "000-000-0000", "555-555-5555", "1234567890", "N/A", "none"]


class TestSameAnswersAsPhonenumbers:
    """MRG-1: a number is usable, and normalised, exactly as phonenumbers says."""

    @pytest.mark.parametrize("region", ["US", "CA", "GB", "FR", "IN"])
    def test_export_formats_match_the_reference(self, region: str) -> None:
        """MRG-1: every export format of many numbers, in several default regions."""
        raws = _formats(random.Random(7), 150)  # test data, not secrets + PLACEHOLDERS

        mismatches = _fastphone.check(raws, region)

        assert mismatches == []

    def test_to_e164_matches_the_foundation_function(self) -> None:
        """MRG-1: the fast path and leadcore._phone.to_e164 agree one by one."""
        raws = _formats(random.Random(11), 40)  # test data

        got = [_fastphone.to_e164(raw, "US") for raw in raws]

        assert got == [_phone.to_e164(raw, "US") for raw in raws]

    def test_many_equals_one_by_one(self) -> None:
        """Memoising by text and pre-key changes no answer."""
        rng = random.Random(3)  # test data, not secrets
        raws = [*_formats(rng, 20), *_formats(random.Random(3), 20)]  # the same again

        assert _fastphone.to_e164_many(raws, "US") == [_fastphone.to_e164(r, "US") for r in raws]

    @given(
        st.lists(
            st.text(alphabet="0123456789 +-().\n", max_size=16)
            | st.sampled_from(["+1 613 495 7126", "1 (415) 867-5309", "+1 (555) 555-5555"]),
            max_size=12,
        ),
        st.sampled_from(["US", "GB", "CA"]),
    )
    def test_a_column_reads_as_each_number(self, raws: list[str], region: str) -> None:
        """MRG-1: a column (separators deleted at once, line ends inside too) as one by one."""
        assert _fastphone.to_e164_many(raws, region) == [
            _fastphone._reference(raw, region) for raw in raws
        ]

    @given(st.text(alphabet="0123456789 +-().", max_size=20), st.sampled_from(["US", "GB", "CA"]))
    def test_any_text_of_digits_and_separators(self, raw: str, region: str) -> None:
        """MRG-1: the pre-key lemma holds on any arrangement of its characters."""
        assert _fastphone.to_e164(raw, region) == _fastphone._reference(raw, region)

    @given(st.text(alphabet="0123456789 +-().ext#,;/x", max_size=24))
    def test_text_with_extension_letters(self, raw: str) -> None:
        """MRG-1: extensions and stray letters reach the reference or strip exactly."""
        assert _fastphone.to_e164(raw, "US") == _fastphone._reference(raw, "US")

    @given(st.text(max_size=30))
    def test_any_text(self, raw: str) -> None:
        """MRG-1: arbitrary Unicode text (other digits, spaces, letters) agrees too."""
        assert _fastphone.to_e164(raw, "US") == _fastphone._reference(raw, "US")

    @given(
        st.integers(2, 9),
        st.integers(0, 10**9 - 1),
        st.sampled_from(["{}", "1{}", "+1{}", "({}) {}", "+1 {}-{}"]),
    )
    def test_every_nanpa_number(self, first: int, rest: int, shape: str) -> None:
        """MRG-1: valid and invalid NANPA numbers alike, in each fast shape."""
        national = f"{first}{rest:09d}"
        if shape.count("{}") == 2:
            raw = shape.format(national[:3], national[3:])
        else:
            raw = shape.format(national)

        assert _fastphone.to_e164(raw, "US") == _fastphone._reference(raw, "US")

    @given(
        st.sampled_from(CODES),
        st.text(alphabet="0123456789", min_size=1, max_size=18),
        st.sampled_from(["+{} {}", "+{}{}", "011 {} {}", "00{}{}", "+{} 0{}"]),
        st.sampled_from(REGIONS),
    )
    def test_every_country_code_and_national_number(
        self, code: int, national: str, shape: str, region: str
    ) -> None:
        """MRG-1: any country code, any digits, with a plus or an IDD, in many regions."""
        raw = shape.format(code, national)

        assert _fastphone.to_e164(raw, region) == _fastphone._reference(raw, region)

    @given(
        st.sampled_from(EXAMPLES),
        st.integers(0, 999),
        st.sampled_from(["+{} {}", "011 {} {}", "+{}-{}"]),
        st.sampled_from(REGIONS),
    )
    def test_valid_numbers_of_every_region_and_type(
        self, example: tuple[int, str], tail: int, shape: str, region: str
    ) -> None:
        """MRG-1: example numbers of every region and type, their last digits changed."""
        code, national = example
        changed = (
            national[: max(1, len(national) - 3)] + f"{tail:03d}"[-min(3, len(national) - 1) :]
        )
        raws = [shape.format(code, national), shape.format(code, changed)]

        assert _fastphone.to_e164_many(raws, region) == [
            _fastphone._reference(raw, region) for raw in raws
        ]

    @given(st.sampled_from(EXAMPLES), st.integers(0, 10**6))
    def test_validity_by_the_metadata_is_is_valid_number(
        self, example: tuple[int, str], noise: int
    ) -> None:
        """MRG-1: valid() answers phonenumbers.is_valid_number, for valid and changed numbers."""
        code, national = example
        for nsn in (national, str(int(national) + noise), str(int(national) * 10 + noise % 10)):
            number = phonenumbers.PhoneNumber(country_code=code, national_number=int(nsn))

            assert _fastphone.valid(code, nsn) == phonenumbers.is_valid_number(number), nsn

    def test_validity_of_every_country_code_is_is_valid_number(self) -> None:
        """
        MRG-1, every code once: an example of each region and type, changed, and any digits.

        The property above samples examples; this sweeps them all, so every country's
        metadata is compiled and tried (a region of another code, a code of no region, a
        description with no pattern or lengths), whatever the draws.
        """
        numbers = [
            *((code, nsn) for code, national in EXAMPLES for nsn in (national, national + "1")),
            *((code, "2125550123") for code in CODES),
            (999, "12345678"),  # a code no region uses
        ]
        for code, nsn in numbers:
            number = phonenumbers.PhoneNumber(country_code=code, national_number=int(nsn))

            assert _fastphone.valid(code, nsn) == phonenumbers.is_valid_number(number), (code, nsn)

    def test_too_long_text_is_left_to_the_reference(self) -> None:
        """MRG-1: over 250 characters phonenumbers refuses the text; so do we."""
        raw = "4158675309" + " " * 300

        assert _fastphone.to_e164(raw, "US") is None
        assert _fastphone._reference(raw, "US") is None


class TestFastPath:
    """Which texts skip the parser (the bulk of an export must)."""

    @pytest.mark.parametrize(
        "raw",
        ["(415) 867-5309", "415.867.5309", "+1 415 867 5309", "1 (415) 867-5309", "4158675309"],
    )
    def test_common_us_shapes_are_fast(self, raw: str) -> None:
        """The NANPA shapes of the exports are answered directly."""
        assert _fastphone.fast_path(raw, "US")

    @pytest.mark.parametrize("raw", ["+44 20 7946 0018", "011 44 2079460018", "+91 98099 24289"])
    def test_international_shapes_are_fast(self, raw: str) -> None:
        """A country code and a national number nothing can strip are answered directly."""
        assert _fastphone.fast_path(raw, "US")

    @pytest.mark.parametrize(
        "raw",
        [
            "+39 06 1234 5678",
            "+44 020 7946 0018",
            "011 0 44",
            "+0 44 20 7946 0018",
            "011 44",
            "+800 1234 5678",
            "+999 1234",
            "N/A",
            "",
        ],
    )
    def test_other_shapes_go_to_phonenumbers(self, raw: str) -> None:
        """Leading zeros, prefixes, too short, other codes, non-numbers: phonenumbers answers."""
        assert not _fastphone.fast_path(raw, "US")
        assert _fastphone.to_e164(raw, "US") == _fastphone._reference(raw, "US")

    def test_every_geographic_country_of_the_installed_metadata_is_answered_directly(
        self,
    ) -> None:
        """
        Step 4 reads the installed metadata of every geographic country code.

        A country whose metadata step 4 cannot read takes the exact path (correct, but
        slow): none of the installed release may, or the fast path would quietly shrink.
        """
        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE
        geographic = [code for code in CODES if "001" not in regions[code]]

        assert len(geographic) > 200
        assert [code for code in geographic if not _fastphone._Country(code).fast] == []
        assert [code for code in CODES if _fastphone._Country(code).fast] == geographic

    def test_national_shapes_are_fast_only_with_region_us(self) -> None:
        """A national number is read in the default region: only US is direct."""
        assert not _fastphone.fast_path("(415) 867-5309", "CA")
        assert _fastphone.fast_path("+1 415 867 5309", "CA")

    def test_pre_key_keeps_the_plus_and_digits(self) -> None:
        """The pre-key is the digits, with the plus when it leads."""
        assert _fastphone.key(" +1 (415) 867-5309 ") == "+14158675309"
        assert _fastphone.key("415-867-5309 ext 12") == "4158675309"
        assert _fastphone.key("415-867-5309 extension 12") is None  # not " ext N"
        assert _fastphone.key("1+415") is None
        assert _fastphone.key("12") is None


def _reshaped(metadata: phonenumbers.PhoneMetadata, **changes: object) -> object:
    """A copy of a region's metadata with some attributes changed (it is immutable)."""
    copy = copy_module.copy(metadata)
    for name, value in changes.items():
        object.__setattr__(copy, name, value)
    return copy


def _desc(pattern: str | None, lengths: tuple[int, ...]) -> object:
    """A number description with a pattern and possible lengths of our choosing."""
    return phonenumbers.PhoneNumberDesc(national_number_pattern=pattern, possible_length=lengths)


def _emptied() -> None:
    """Empty the caches built from the metadata (countries, the column's pattern, answers)."""
    _fastphone._country.cache_clear()
    _fastphone._column_valid.cache_clear()
    _fastphone._lines.cache_clear()
    _phone.to_e164.cache_clear()


class TestMetadataOfAnotherShape:
    """
    Step 4 reads metadata of one shape; a country of another takes the exact path.

    No installed ``phonenumbers`` has such metadata (a region without it, a description
    without a pattern or possible lengths, no type description): these tests give one
    region, GB, that shape, and check that +44 is then answered by ``phonenumbers``
    itself, with its answers under that metadata.
    """

    NUMBERS = ("2079460018", "7400123456", "9999999999")

    @pytest.fixture
    def reshape(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
        """Change GB's metadata (remove it: ``gone=True``) for one test, caches emptied."""
        gb = phonenumbers.PhoneMetadata.metadata_for_region("GB", None)  # loaded now
        assert gb is not None
        store = phonenumbers.PhoneMetadata._region_metadata

        def reshape(*, gone: bool = False, **changes: object) -> None:
            if gone:
                monkeypatch.delitem(store, "GB")
            else:
                monkeypatch.setitem(store, "GB", _reshaped(gb, **changes))
            _emptied()

        yield reshape
        monkeypatch.undo()
        _emptied()

    @pytest.mark.parametrize(
        "changes",
        [
            {"general_desc": _desc(None, (10,))},
            {"fixed_line": _desc("[1-9]\\d{9}", ())},
            {"mobile": _desc("", (10,)), "same_mobile_and_fixed_line_pattern": False},
            dict.fromkeys((*_fastphone._TYPE_NAMES, "mobile")),
            {"country_code": 33},
            {"fixed_line": _desc("(\\d{10})", (10,))},
            {"general_desc": _desc("\\d{10}$", (10,))},
            {"leading_digits": "(7)"},
        ],
        ids=[
            "general-no-pattern",
            "no-lengths",
            "blank-pattern",
            "no-types",
            "another-code",
            "capturing-group",
            "anchor",
            "leading-digits-group",
        ],
    )
    def test_the_country_is_left_to_phonenumbers(
        self, reshape: Callable[..., None], changes: dict[str, object]
    ) -> None:
        """MRG-1: +44 is not answered directly, and every answer is phonenumbers' own."""
        assert _fastphone._Country(44).fast

        reshape(**changes)

        assert not _fastphone._Country(44).fast
        assert not _fastphone.fast_path("+44 20 7946 0018", "US")
        for nsn in self.NUMBERS:
            number = phonenumbers.PhoneNumber(country_code=44, national_number=int(nsn))
            raw = f"+44 {nsn}"

            assert _fastphone.valid(44, nsn) == phonenumbers.is_valid_number(number), nsn
            assert _fastphone.to_e164(raw, "US") == _fastphone._reference(raw, "US"), nsn
        assert _fastphone._Country(33).fast  # the other countries keep the direct path

    @pytest.mark.parametrize("changes", [{"gone": True}, {"general_desc": None}])
    def test_metadata_phonenumbers_cannot_read_is_not_read_either(
        self, reshape: Callable[..., None], changes: dict[str, object]
    ) -> None:
        """A region without metadata or a general description: not answered directly."""
        reshape(**changes)

        assert not _fastphone._Country(44).fast
        assert not _fastphone.fast_path("+44 20 7946 0018", "US")
        assert _fastphone.fast_path("+33 1 12 62 46 68", "US")

    def test_a_number_no_region_of_a_country_accepts_is_invalid(self) -> None:
        """MRG-1: +44 that no region of the country accepts is invalid, as in phonenumbers."""
        number = phonenumbers.PhoneNumber(country_code=44, national_number=9999999999)

        assert _fastphone.fast_path("+44 9999999999", "US")
        assert _fastphone.valid(44, "9999999999") is phonenumbers.is_valid_number(number) is False
        assert _fastphone.to_e164("+44 9999999999", "US") is None


NANPA = [national for code, national in EXAMPLES if code == 1]
"""Valid example numbers of the NANPA regions (US, Canada, the Caribbean)."""
_SEPARATOR = st.sampled_from(["", "", " ", "-", ".", "(", ")", "  "])


@st.composite
def _nanpa_texts(draw: st.DrawFn) -> str:
    """A NANPA number (valid or not) as an export writes it, or a near miss of one."""
    national = draw(
        st.sampled_from(NANPA)
        | st.builds(lambda n, rest: f"{n}{rest:09d}", st.integers(0, 9), st.integers(0, 10**9 - 1))
    )
    prefix = draw(st.sampled_from(["", "", "1", "+1", "1+1", "+11", "11", "+1+1", "+ 1", "+"]))
    cut = draw(st.integers(0, len(national)))
    text = (
        draw(_SEPARATOR)
        + prefix
        + draw(_SEPARATOR)
        + national[:cut]
        + draw(_SEPARATOR)
        + national[cut:]
        + draw(_SEPARATOR)
    )
    tail = draw(
        st.sampled_from(["", "", " ext ", " ext", "ext ", "  ext "]).flatmap(
            lambda ext: (
                st.just(ext)
                if not ext
                else st.just(ext)
                | st.builds(
                    lambda d: ext + d, st.text(alphabet="0123456789", min_size=1, max_size=22)
                )
            )
        )
    )
    return text + tail


_COLUMN_TEXTS = (
    _nanpa_texts()
    | st.text(alphabet="0123456789 +-().ext\n\r\u0664\uff14\u00e9#", max_size=20)
    | st.builds(lambda t, n: t + " " * n, _nanpa_texts(), st.integers(230, 260))
    | st.text(max_size=16)
)


class TestColumn:
    """Step 6: a column read at once answers each text as one by one (MRG-1)."""

    @given(st.lists(_COLUMN_TEXTS, max_size=15), st.sampled_from(["US", "CA", "GB", "FR"]))
    def test_a_column_answers_each_text_as_phonenumbers(self, raws: list[str], region: str) -> None:
        """MRG-1: NANPA shapes, near misses, extensions, line ends, other digits, long texts."""
        got = _fastphone.to_e164_many(raws, region)

        assert got == [_fastphone._reference(raw, region) for raw in raws]
        assert got == [_fastphone.to_e164(raw, region) for raw in raws]

    @pytest.mark.parametrize("region", ["US", "GB"])
    def test_the_nanpa_keys_the_column_answers(self, region: str) -> None:
        """MRG-1: exactly the keys _national reads, valid or not, in either region."""
        raws = [
            "4158675309",  # US: the national number
            "1 (415) 867-5309",  # US: 1 and the national number
            "+1 415 867 5309",  # any region: +1 and the national number
            "1+14158675309",  # no key: a plus inside
            "+1 1 415 867 5309",  # +1 then 1 and ten digits: too long
            "+1+1 415 867 5309",  # two plus signs
            "11 415 867 5309",
            "1 115 867 5309",  # a national number starting with 1
            "613-495-7126",  # Canada
            "268-460-1234",  # Antigua (leading digits 268)
            "555-555-5555",  # invalid
            "415-867-5309 ext 12",
        ]
        lines = _fastphone._lines(region)
        assert lines is not None
        expected = {
            "US": [True, True, True, False, False, False, False, False, True, True, False, True],
            "GB": [
                False,
                False,
                True,
                False,
                False,
                False,
                False,
                False,
                False,
                False,
                False,
                False,
            ],
        }[region]

        column = _fastphone._column(raws, region, lines)

        assert [bool(found) for found in column] == expected
        assert _fastphone.to_e164_many(raws, region) == [
            _fastphone._reference(raw, region) for raw in raws
        ]

    def test_an_empty_column(self) -> None:
        """No texts, no answers (from a list or any iterable)."""
        assert _fastphone.to_e164_many([], "US") == []
        assert _fastphone.to_e164_many(iter(()), "GB") == []

    def test_a_text_with_a_line_end_is_answered_alone(self) -> None:
        """MRG-1: a line end inside a text does not split it into two lines of the column."""
        raws = ["415 867\n5309", "4158675309", "+1 415\r867 5309", "415\n"]

        assert _fastphone.to_e164_many(raws, "US") == [
            _fastphone._reference(raw, "US") for raw in raws
        ]

    def test_extensions_at_the_end_of_a_text(self) -> None:
        """MRG-1: `` ext `` and 1 to 20 digits is removed as key() removes it, nothing else."""
        raws = [
            "415-867-5309 ext 12",
            "415-867-5309 ext 12345678901234567890",  # 20 digits
            "415-867-5309 ext 123456789012345678901",  # 21 digits
            "415-867-5309 ext12",
            "415-867-5309  ext 12",
            "415-867-5309 ext 12 ",
            "ext 415-867-5309",
            "415 ext 1 ext 2",
            " ext 12",
            "+44 20 7946 0018 ext 7",
        ]

        assert _fastphone.to_e164_many(raws, "US") == [
            _fastphone._reference(raw, "US") for raw in raws
        ]

    def test_text_beyond_ascii(self) -> None:
        """MRG-1: other digits and letters (the separators deleted one way, not as bytes)."""
        raws = ["\uff14\uff11\uff15-867-5309", "\u0664\u0661\u0665 867 5309", "415-867-5309", "é"]

        assert _fastphone.to_e164_many(raws, "US") == [
            _fastphone._reference(raw, "US") for raw in raws
        ]

    def test_long_texts_are_left_to_the_reference(self) -> None:
        """MRG-1: over 250 characters phonenumbers refuses a text, in a column too."""
        raws = ["4158675309" + " " * 300, "4158675309", "4158675309" + " " * 240]

        assert _fastphone.to_e164_many(raws, "US") == [None, "+14158675309", "+14158675309"]
        assert [_fastphone._reference(raw, "US") for raw in raws] == [
            None,
            "+14158675309",
            "+14158675309",
        ]

    def test_texts_and_keys_met_again_are_answered_once(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The texts the column leaves are memoised by text and by pre-key."""
        calls: list[str] = []
        from_key = _fastphone._from_key

        def counted(found: str, region: str) -> str | None:
            calls.append(found)
            return from_key(found, region)

        monkeypatch.setattr(_fastphone, "_from_key", counted)
        raws = ["+44 20 7946 0018", "+44-20-7946-0018", "+44 20 7946 0018", "N/A", "N/A"]

        got = _fastphone.to_e164_many(raws, "US")

        assert got == ["+442079460018", "+442079460018", "+442079460018", None, None]
        assert calls == ["+442079460018"]

    @pytest.mark.parametrize(
        ("pattern", "embeddable"),
        [
            ("[2-9]\\d{9}|3\\d{6}", True),
            ("(?:2[0-35-9]|3[1-9])\\d{6,7}", True),
            ("8(?:00|33)[2-9]\\d{6}", True),
            ("(\\d{10})", False),  # a capturing group
            ("\\d{10}$", False),  # an anchor
            ("[^0]\\d{9}", False),  # a class that matches a line end
            ("\\d.", False),
            ("(?=1)\\d{10}", False),  # a lookaround
            ("(?i)\\d", False),  # a flag
            ("", False),
        ],
    )
    def test_patterns_embedded_whole_are_digits_only(self, pattern: str, embeddable: bool) -> None:
        """Only a pattern of the metadata's shape is embedded in a larger one."""
        assert _fastphone._digits_only(pattern) is embeddable

    def test_a_nanpa_region_of_another_shape_leaves_the_column_to_the_exact_path(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """MRG-1: with a NANPA region the column cannot embed, every text goes one by one."""
        ca = phonenumbers.PhoneMetadata.metadata_for_region("CA", None)
        assert ca is not None
        store = phonenumbers.PhoneMetadata._region_metadata
        monkeypatch.setitem(store, "CA", _reshaped(ca, fixed_line=_desc("(\\d{10})", (10,))))
        _emptied()
        raws = ["(415) 867-5309", "613-495-7126", "+1 268 460 1234", "555-555-5555", "N/A"]
        try:
            assert not _fastphone._Country(1).fast
            assert _fastphone._lines("US") is None

            got = _fastphone.to_e164_many(raws, "US")

            assert got == [_fastphone._reference(raw, "US") for raw in raws]
            assert got[0] == "+14158675309"
        finally:
            monkeypatch.undo()
            _emptied()
        assert _fastphone._lines("US") is not None
