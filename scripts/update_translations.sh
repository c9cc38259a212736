#!/bin/sh
# Refresh the message catalogues after strings changed in the code or the templates:
# extract every translatable string into messages.pot, merge it into each language's
# messages.po (new strings arrive untranslated, changed ones marked fuzzy, strings no
# longer used are dropped), then report
# what is left to translate. Translate the empty and fuzzy entries in
# eventsys/translations/zh_Hans/LC_MESSAGES/messages.po, then run this script again (or
# `pip install -e .`) to compile; tests/test_i18n.py fails while a string is untranslated.
set -eu
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
CATALOGUES=eventsys/translations

"$PYBABEL" extract -F babel.cfg -k _l -k lazy_ngettext:1,2 \
    --project=eventsys --copyright-holder="eventsys contributors" \
    -o "$CATALOGUES/messages.pot" .
for locale in zh_Hans en; do
    if [ -f "$CATALOGUES/$locale/LC_MESSAGES/messages.po" ]; then
        "$PYBABEL" update --ignore-obsolete -i "$CATALOGUES/messages.pot" -d "$CATALOGUES" -l "$locale"
    else
        "$PYBABEL" init -i "$CATALOGUES/messages.pot" -d "$CATALOGUES" -l "$locale"
    fi
done
# Compiled .mo files are build artefacts (git-ignored); compiling here lets a running
# development server pick up the new translations.
"$PYBABEL" compile --statistics -d "$CATALOGUES"
