"""A reply as the case shows it: what the citizen wrote, without the quoted history or their signature.

Mail clients quote the message answered below a line that says who wrote it, in the writer's language
("On Mon, 7 Dec 2026, Tandem wrote:", "El lun, 7 dic 2026, Tandem escribió:", "Em seg., 7 de dez. de 2026,
Tandem escreveu:"), or, in Outlook, below a header block ("From: ... Sent: ... To: ... Subject: ..." and
its translations) or a rule of underscores. Everything from the first such line on is the history; lines
quoted with ">" are history wherever they stand; a signature starts at "-- " or at a phone's "Sent from my
...". Pure; the whole original is kept elsewhere for staff to open.
"""
import re

# "On <date>, <name> wrote:" in English, Spanish and Portuguese, also when the client wrapped it over two lines
ATTRIBUTION = re.compile(
    r"^\s*(On\s.+\bwrote|El\s.+\bescribi[óo]|Em\s.+\bescreveu|Le\s.+\ba écrit|Am\s.+\bschrieb)\s*:?\s*$",
    re.IGNORECASE)
ATTRIBUTION_START = re.compile(r"^\s*(On|El|Em)\s.{6,}$", re.IGNORECASE)
ATTRIBUTION_END = re.compile(r"\b(wrote|escribi[óo]|escreveu)\s*:\s*$", re.IGNORECASE)
# Outlook's block: "From:" then, within a few lines, "Sent:"/"Date:" (and the Spanish and Portuguese names)
HEADER_FROM = re.compile(r"^\s*\*?(From|De|Von)\s*:\*?\s", re.IGNORECASE)
HEADER_DATE = re.compile(r"^\s*\*?(Sent|Date|Enviado(?: el)?|Fecha|Enviada(?: em)?|Data|Gesendet)\s*:", re.IGNORECASE)
FORWARD_RULE = re.compile(r"^\s*(_{10,}|-{5,}\s*(Original Message|Mensaje original|Mensagem original)\s*-{5,})",
                          re.IGNORECASE)
SIGNATURE = re.compile(
    r"^(-- ?|—\s?)$|^\s*(Sent from my |Enviado desde mi |Enviado do meu |Get Outlook for |Obtener Outlook para )",
    re.IGNORECASE)


def history_starts(lines):
    """The index of the first line of quoted history, or ``len(lines)``."""
    for index, line in enumerate(lines):
        if ATTRIBUTION.match(line) or FORWARD_RULE.match(line):
            return index
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if ATTRIBUTION_START.match(line) and ATTRIBUTION_END.search(following):
            return index
        if HEADER_FROM.match(line) and any(HEADER_DATE.match(later) for later in lines[index + 1:index + 5]):
            return index
    return len(lines)


def cleaned(text):
    """``text`` less its quoted history, ">" lines and signature; surrounding blank lines trimmed. If nothing
    is left (a reply written inside the quote), the unquoted lines of the whole text are returned instead."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept = lines[:history_starts(lines)]
    for index, line in enumerate(kept):
        if SIGNATURE.match(line):
            kept = kept[:index]
            break
    kept = [line for line in kept if not line.lstrip().startswith(">")]
    result = "\n".join(kept).strip()
    if result:
        return result
    return "\n".join(line for line in lines if not line.lstrip().startswith(">")).strip()
