"""Vietnamese surnames (họ), for doubting a name whose first word is one OCR slip from one.

domain.md §5 gives the common Kinh surnames and their shares; the rest are other Kinh
surnames and the family names of the larger minorities (Tày, Thái, Mường, Nùng, H'Mông, Dao,
Khmer, Hoa, and the Tây Nguyên peoples, whose names open with «Y» for men and «H'…» for
women in Ê Đê and Jarai usage). A surname missing here is not judged unless it is one slip
from one listed: the cost of an omission is a look by a person, never a wrong value.
"""

from __future__ import annotations

from domain.text import mark_count, without_marks

_LISTED = """
    Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đào Đoàn Trương
    Lâm Mai Trịnh Lương Hà Cao Vương Tô Tạ Quách Thái Chu Tăng La Lưu Phùng Văn Kiều Từ Tống
    Triệu Hứa Lại Châu Đàm Khúc Kim Quang Âu Ông Nghiêm Mạc Thân Giang Doãn Diệp Lục Bạch Khổng
    Khương Mạch Nông Phí Phó Tôn Tiêu Viên Vi Đồng Ninh Lã Lữ Tưởng Ứng Ưng Yên Quan Bế Cầm
    Lường Quàng Ma Sầm Thạch Sơn Danh Chau Kha Lăng Mẫn Nhâm Trình Thiều Tào Uông Xa Hầu Hàn Hàm
    Ngọ Hạ Lò Giàng Sùng Vàng Lầu Thào Hờ Mùa Hạng Tráng Cư Chảo Bàn Lộc Lèo Mông Nồng Ly Y Rơ
    Siu Ksor Nay Rmah Kpă Puih Niê Byă Mlô Êban Hmok Ayun Đàng Quảng Kiêm Cù Đường Bì Biện Cung
    Dư Đậu Hoa Khuất Lạc Lô Mã Nghê Phương Tất Thi Thôi Trang Trà Vĩnh Vưu Bạc Ôn Du Giáp Khiếu
    Kông Nhữ Quế Tiền Tòng Đôn
"""
SURNAMES = frozenset(_LISTED.split())
_FOLDED = frozenset(s.casefold() for s in SURNAMES)


def is_surname(word: str) -> bool:
    """A listed surname, case apart («KSOR» is Ksor)."""
    return word.casefold() in _FOLDED


def fuller_surname(word: str) -> str | None:
    """The one listed surname that spells `word`'s letters with more marks («Nguyên» ->
    «Nguyễn», «PHAM» -> «Phạm»), when `word` is no surname itself; else None. A read loses a
    mark stacked over another far more often than it adds one (domain.text.fullest_marks)."""
    if is_surname(word):
        return None
    letters = without_marks(word).casefold()
    fuller = [
        s
        for s in SURNAMES
        if without_marks(s).casefold() == letters and mark_count(s) > mark_count(word)
    ]
    return fuller[0] if len(fuller) == 1 else None
