"""Finding a service by the words a citizen would use, in their language."""
import re
import unicodedata

WORD = re.compile(r"\w+")


def folded(text):
    """Lower case without accents, so "acera" finds "Acera" and "calçada" finds "calcada"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def words(text):
    return {word for word in WORD.findall(folded(text)) if len(word) > 1}


def search(services, query, language):
    """The services whose name, description or keywords (in ``language`` and English) share a word with
    ``query``, best match first; an empty query finds nothing."""
    wanted = words(query)
    if not wanted:
        return []
    scored = []
    for service in services:
        name = words(service.translated("name", language)) | words(service.name)
        other = (words(service.translated("keywords", language)) | words(service.keywords)
                 | words(service.translated("description", language)))
        # a word that starts a longer one counts too: "pot" finds "pothole"
        def hits(vocabulary):
            return sum(1 for word in wanted if any(known.startswith(word) for known in vocabulary))
        score = 2 * hits(name) + hits(other)
        if score:
            scored.append((score, service.name, service))
    return [service for _score, _name, service in sorted(scored, key=lambda item: (-item[0], item[1]))]
