"""Chinese text uses Chinese punctuation: a reader sees ，：（）“” next to Chinese words, never
the ASCII marks, while placeholders, addresses, times like 14:00 and codes stay as they are."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOGUE = (
    Path(__file__).resolve().parents[1]
    / "eventsys"
    / "translations"
    / "zh_Hans"
    / "LC_MESSAGES"
    / "messages.po"
)

# What is not prose: %(name)s placeholders, web addresses, `commands`.
NOT_PROSE = re.compile(r"%\([^)]*\)[-+ #0]*\d*(?:\.\d+)?[sdif]|%[sd%]|https?://\S+|`[^`]*`")
CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”…]"
ASCII_MARK = r"(?:[,:;?!()]|\.\.\.)"
MARK_BESIDE_CHINESE = re.compile(rf"{CJK} ?{ASCII_MARK}|{ASCII_MARK} ?{CJK}")
STRAIGHT_QUOTE_IN_CHINESE = re.compile(rf"{CJK}[^\"']*[\"']|[\"'][^\"']*{CJK}")


def offences(text: str) -> list[str]:
    prose = NOT_PROSE.sub("X", text)
    return [m.group() for m in MARK_BESIDE_CHINESE.finditer(prose)] + [
        m.group() for m in STRAIGHT_QUOTE_IN_CHINESE.finditer(prose)
    ]


def _translations() -> list[tuple[str, str]]:
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po, locale="zh_Hans")
    pairs = []
    for message in catalogue:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(msgid, text) for text in strings if text]
    return pairs


@pytest.mark.parametrize(
    "text",
    [
        "名额已满, 您已进入候补名单。",
        "电话(选填)",
        "原因:%(reason)s",
        "确定要取消吗?",
        "请稍候...",
        '您已报名"江南园林"。',
    ],
)
def test_ascii_marks_in_chinese_text_are_found(text):
    assert offences(text)


@pytest.mark.parametrize(
    "text",
    [
        "%(name)s，您好：",
        "名额（%(capacity)s）超过了%(venue)s的容量。",
        "开放时间请按 09:00-17:00 的格式填写，或留空。",
        "线上链接须以 http:// 或 https:// 开头。",
        "请以 Authorization: Bearer <token> 的形式发送令牌。",
        "下载您的全部个人数据（JSON）",
    ],
)
def test_placeholders_times_addresses_and_codes_are_left_alone(text):
    assert offences(text) == []


def test_every_chinese_translation_uses_chinese_punctuation():
    found = [(msgid, text) for msgid, text in _translations() if offences(text)]
    assert found == [], "\n".join(f"{msgid!r}: {text!r}" for msgid, text in found)
