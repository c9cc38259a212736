"""The 2021 season (Jiangnan lectures, exhibitions, centenary activities) and what is coming.

Each demo event has a fixed calendar UID, so loading twice creates nothing twice. Coming
events are laid on a calendar grid (weekday → activities), so loading again on a later
day adds only the new days.

What lives where: ``season`` (the 2021 lecture series and exhibitions), ``centenary`` (the
Party centenary campaign), ``coming`` (the weeks ahead), ``english`` (their English
titles) and ``maker`` (how each event is made).
"""

from eventsys.demo.programmes import centenary, coming, season
from eventsys.demo.programmes.maker import Maker
from eventsys.extensions import db


def load() -> None:
    make = Maker()
    if not make.venues:
        return None
    season.season_2021(make)
    centenary.centenary(make)
    coming.coming(make)
    db.session.flush()
    return None
