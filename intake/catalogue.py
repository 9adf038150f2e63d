"""Finding a service by the words a citizen would use, in their language."""
import re
import unicodedata

WORD = re.compile(r"\w+")
# words that name nothing on their own ("bache en la calle"): as the start of a longer word they matched most of
# the catalogue ("en" finds "entrance", "la" finds "lamp"). Written without accents, as ``folded`` leaves them.
FILLER_WORDS = {
    "en": {"an", "and", "are", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it", "its", "me", "my",
           "no", "not", "of", "on", "or", "our", "the", "there", "this", "to", "was", "were", "with"},
    "es": {"al", "con", "de", "del", "el", "en", "es", "esta", "hay", "la", "las", "lo", "los", "mi", "mis", "muy",
           "no", "para", "por", "que", "se", "sin", "son", "su", "sus", "un", "una", "unas", "unos"},
    "pt": {"ao", "aos", "as", "com", "da", "das", "de", "do", "dos", "em", "esta", "ha", "meu", "minha", "muito",
           "na", "nao", "nas", "no", "nos", "os", "ou", "para", "pela", "pelo", "por", "que", "se", "sao", "sem",
           "seu", "sua", "um", "uma"},
}
# shorter words must match a whole word: "pot" finds "pothole", "ro" does not find "road"
SHORTEST_PREFIX = 3


def folded(text):
    """Lower case without accents, so "acera" finds "Acera" and "calçada" finds "calcada"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def words(text):
    return {word for word in WORD.findall(folded(text)) if len(word) > 1}


def search(services, query, language):
    """The services whose name, description or keywords (in ``language`` and English) share a word with
    ``query``, best match first. Filler words ("the", "en la") are left out of the query; one of nothing but
    them, or an empty one, finds nothing."""
    wanted = words(query) - FILLER_WORDS["en"] - FILLER_WORDS.get(language, set())
    if not wanted:
        return []
    scored = []
    for service in services:
        name = words(service.translated("name", language)) | words(service.name)
        other = (words(service.translated("keywords", language)) | words(service.keywords)
                 | words(service.translated("description", language)))
        # a word that starts a longer one counts too: "pot" finds "pothole"
        def hits(vocabulary):
            return sum(1 for word in wanted if word in vocabulary or (
                len(word) >= SHORTEST_PREFIX and any(known.startswith(word) for known in vocabulary)))
        score = 2 * hits(name) + hits(other)
        if score:
            scored.append((score, service.name, service))
    return [service for _score, _name, service in sorted(scored, key=lambda item: (-item[0], item[1]))]
