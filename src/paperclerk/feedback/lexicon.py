"""Word lists the offline quality score reads, in English and Swedish (lower case; a trailing ``*`` matches any ending).

Kept apart from the scoring so a language is added here and nowhere else.
"""

from __future__ import annotations

POSITIVE = frozenset([
    "good", "great", "excellent", "amazing", "awesome", "love", "loved", "lovely", "nice", "friendly", "helpful",
    "fast", "quick", "fresh", "tasty", "delicious", "clean", "perfect", "pleasant", "polite", "happy", "best",
    "wonderful", "fantastic", "recommend", "superb", "kind", "warm", "cosy", "cozy", "comfortable", "enjoyed",
    "efficient", "attentive", "professional", "generous", "reasonable", "worth", "smooth", "easy", "tidy",
    "welcoming", "beautiful", "satisfied", "bra", "bäst", "utmärkt", "fantastisk", "fantastiskt", "trevlig",
    "trevliga", "snabb", "snabbt", "god", "gott", "goda", "fräsch", "fräscht", "ren", "rent", "rena", "härlig",
    "härligt", "perfekt", "vänlig", "vänliga", "hjälpsam", "hjälpsamma", "nöjd", "nöjda", "mysig", "mysigt", "lugn",
    "prisvärd", "prisvärt", "rekommenderar", "gillar", "gillade", "älskar", "toppen", "jättebra", "supergott",
    "proffsig", "smidigt", "enkelt"
])

NEGATIVE = frozenset([
    "bad", "poor", "terrible", "awful", "horrible", "slow", "rude", "dirty", "cold", "stale", "expensive",
    "overpriced", "wrong", "broken", "worst", "hate", "hated", "disappointed", "disappointing", "disgusting",
    "noisy", "unfriendly", "late", "missing", "burnt", "bland", "soggy", "greasy", "salty", "crowded", "waited",
    "waiting", "wait", "queue", "mess", "messy", "sticky", "smelly", "unhelpful", "confusing", "annoying",
    "problem", "problems", "issue", "issues", "complaint", "lukewarm", "undercooked", "overcooked", "tasteless",
    "dry", "flat", "dålig", "dåligt", "dåliga", "långsam", "långsamt", "otrevlig", "otrevliga", "smutsig",
    "smutsigt", "smutsiga", "kall", "kallt", "dyr", "dyrt", "dyra", "fel", "trasig", "sämst", "besviken",
    "besvikna", "äcklig", "äckligt", "sur", "surt", "bränd", "bränt", "kö", "vänta", "väntade", "väntan", "rörigt",
    "stökigt", "problem", "saknades", "saknas", "ljummet", "torr", "torrt", "salt", "smaklös"
])

NEGATIONS = frozenset([
    "not", "no", "never", "nothing", "hardly", "isn't", "wasn't", "don't", "didn't", "doesn't", "aren't", "weren't",
    "inte", "aldrig", "ingen", "inget", "inga", "knappast"
])

INTENSIFIERS = frozenset([
    "very", "really", "extremely", "so", "too", "super", "incredibly", "mycket", "väldigt", "riktigt", "extremt",
    "jätte", "otroligt", "alldeles"
])

#: Words that say what to change ("you should…", "it would be better if…").
SUGGESTIONS = (
    "should", "could", "would be better", "would be nice", "would love", "would like", "i wish", "wish",
    "suggest", "suggestion", "recommend that", "please", "needs to", "need to", "next time", "instead",
    "consider", "improve", "maybe", "perhaps", "it would help", "if you", "add more", "offer",
    "borde", "kunde", "skulle", "önskar", "önskan", "föreslår", "förslag", "behöver", "bör", "snälla",
    "nästa gång", "istället", "i stället", "kanske", "förbättra", "gärna", "vore bra", "vore bättre",
)

#: Words that give a reason or weigh both sides.
REASONS = ("because", "since", "so that", "due to", "as a result", "which meant", "eftersom", "därför", "för att",
           "på grund av", "så att")
CONTRASTS = ("but", "however", "although", "though", "except", "apart from", "on the other hand", "men", "dock",
             "fast", "även om", "förutom", "annars")

#: Abuse that makes feedback unconstructive.
ABUSE = frozenset([
    "idiot", "idiots", "stupid", "moron", "morons", "crap", "shit", "fuck", "fucking", "fucked", "sucks", "suck",
    "garbage", "trash", "idiotisk", "idioter", "skit", "skitdålig", "jävla", "jävlig", "fan", "helvete", "kass"
])

#: Words that carry nothing on their own ("ok", "good", "nice") when they make up most of the text.
FILLER = frozenset([
    "ok", "okay", "fine", "good", "nice", "great", "thanks", "thank", "you", "everything", "was", "all", "it",
    "the", "a", "an", "and", "i", "we", "lol", "yes", "no", "very", "really", "so", "bra", "allt", "var", "det",
    "och", "jag", "vi", "tack", "ja", "nej", "mycket"
])

STOPWORDS = frozenset([
    "a", "an", "the", "and", "or", "but", "if", "then", "than", "so", "of", "to", "in", "on", "at", "for", "with",
    "by", "from", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these",
    "those", "i", "me", "my", "we", "our", "you", "your", "he", "she", "they", "them", "his", "her", "their",
    "there", "here", "have", "has", "had", "do", "does", "did", "not", "no", "yes", "very", "really", "just",
    "also", "too", "can", "will", "would", "could", "should", "about", "into", "over", "after", "before", "up",
    "down", "out", "en", "ett", "och", "eller", "men", "om", "så", "av", "till", "i", "på", "för", "med", "från",
    "som", "är", "var", "vara", "varit", "det", "den", "de", "dem", "detta", "denna", "dessa", "jag", "mig", "min",
    "vi", "vår", "du", "din", "han", "hon", "hans", "hennes", "deras", "där", "här", "har", "hade", "gör", "gjorde",
    "inte", "nej", "ja", "mycket", "bara", "också", "kan", "ska", "skulle", "kunde", "till", "upp", "ner", "ut",
    "efter", "innan"
])

#: Places, people and times a specific remark names.
STAFF = frozenset([
    "staff", "waiter", "waitress", "barista", "cashier", "server", "manager", "chef", "cook", "employee",
    "employees", "personnel", "clerk", "host", "hostess", "driver", "guard", "personal", "personalen", "servitör",
    "servitris", "kassör", "kassörska", "kassan", "kock", "chef", "expedit", "expediten", "anställd", "anställda",
    "kollega"
])
PLACES = frozenset([
    "counter", "table", "tables", "toilet", "toilets", "restroom", "bathroom", "entrance", "door", "parking",
    "checkout", "till", "queue", "shelf", "shelves", "window", "terrace", "menu", "app", "website", "disk", "bord",
    "bordet", "toalett", "toaletten", "entré", "ingång", "dörr", "dörren", "parkering", "kassa", "kassan", "hylla",
    "hyllan", "hyllorna", "fönster", "meny", "menyn", "uteservering", "hemsida", "appen"
])
TIME_WORDS = frozenset([
    "morning", "afternoon", "evening", "night", "lunch", "breakfast", "dinner", "weekend", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "today", "yesterday", "minutes", "minute", "hour",
    "hours", "morgon", "morgonen", "förmiddag", "eftermiddag", "kväll", "kvällen", "natt", "lunch", "lunchen",
    "frukost", "middag", "helg", "helgen", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag",
    "idag", "igår", "minuter", "minut", "timme", "timmar"
])

#: Topics every business has, with their cue words; a business's own categories are matched too.
DEFAULT_TOPICS: dict[str, tuple[str, ...]] = {
    "service": ("staff", "service", "waiter", "waitress", "barista", "cashier", "server", "friendly", "rude",
                "helpful", "polite", "personal*", "servic*", "bemötande", "trevlig*", "otrevlig*", "kassör*",
                "expedit*", "servitör*", "servitris*"),
    "wait_time": ("wait*", "queue*", "slow", "fast", "quick*", "minutes", "late", "delay*", "kö*", "vänta*",
                  "väntan", "långsam*", "snabb*", "minuter", "försen*"),
    "price": ("price*", "expensive", "cheap", "overpriced", "value", "cost*", "worth", "pris*", "dyr*",
              "billig*", "kostar", "kostnad*"),
    "quality": ("quality", "fresh", "stale", "broken", "taste*", "tasty", "delicious", "bland", "kvalitet*",
                "fräsch*", "smak*", "god", "gott", "goda", "trasig*"),
    "cleanliness": ("clean*", "dirty", "messy", "sticky", "smell*", "hygien*", "toilet*", "ren", "rent",
                    "rena", "smutsig*", "stökig*", "städ*", "toalett*", "lukt*"),
    "atmosphere": ("atmosphere", "music", "noisy", "loud", "cosy", "cozy", "decor", "light*", "seating",
                   "stämning*", "musik*", "mysig*", "högljudd*", "lokal*", "inredning*"),
    "assortment": ("selection", "choice*", "menu", "range", "stock", "sold out", "missing", "available",
                   "utbud*", "sortiment*", "meny*", "slut*", "saknad*", "saknas"),
}
