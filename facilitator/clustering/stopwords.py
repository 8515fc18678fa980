"""Function words of the languages the product speaks, so they neither join nor name themes.

English is scikit-learn's list. The French, Spanish and Arabic lists are short and hold only
words that are grammar in every sense (no "son", "par", "ton" or "sin", which are English words
too); a word in most ideas of a large board is dropped anyway (naming's max_df).
"""

from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

FRENCH = """
au aux avec ce ces cette dans de des du elle en est et il ils je la le les leur leurs lui
mais me moi mon ne nos notre nous ou pas pour qu que qui sa se ses si sont sur ta te
tes toi tu un une vos votre vous été être avoir fait faire comme aussi
"""
SPANISH = """
al con como de del el ella ellos en es esta este esto los las la le les lo mas más mi mis
muy nos nuestro nuestra para pero por que qué se sobre su sus también un una uno unos
unas ya está están ser hay entre hasta desde cuando
"""
ARABIC = """
في من على إلى الى عن مع أن ان إن هذا هذه ذلك تلك التي الذي الذين هو هي هم كان كانت لا ما لم
لن قد كل بين حتى ثم أو او عند بعد قبل غير أكثر أيضا أي كما لكن ولا وفي ومن وعلى فيها منها
"""

# For names only (the TF-IDF vectors keep the list above): grammar words of the other languages
# a workshop's ideas arrive in, so that a German or Dutch name does not start with "die" or "het".
GERMAN = """
der die das den dem des ein eine einen einem einer eines und oder aber ich du er sie es wir
ihr mein meine mich mir dein ist sind war bin bist hat haben wird werden kann können mit
von zu zum zur im in am an auf für aus bei nach über um wie was wo wann nicht kein keine
noch auch nur sehr bitte dass ob gegen ohne durch bis vor unter zwischen
"""
ITALIAN = """
il lo la i gli le un uno una di del dello della dei degli delle da dal dalla in nel nella
con su sul sulla per tra fra e ed o ma che chi non mi ti si ci vi mio mia tuo tua è sono
ho hai ha abbiamo come anche più per favore
"""
DUTCH = """
de het een en of maar ik je jij hij zij ze wij we mijn mij me is zijn was ben bent heeft
hebben wordt worden kan kunnen met van voor naar in op aan bij uit om over hoe wat waar
wanneer niet geen nog ook al er dat die dit deze graag alsjeblieft
"""

# For names only: verbs that make a run of words a sentence rather than a name (copulas,
# auxiliaries, modals): "Marijuana should be legal" says what an idea wants, where a theme's
# name says what it is about. A name may hold other function words ("Funding for hubs").
# Words that are English nouns too are left out ("will", "may", "war", "hat", "son", "era").
VERBS = """
am is are was were be been should must would could cannot shall might has have had does did
ought isn't aren't wasn't weren't shouldn't mustn't can't won't
sont était étaient être sera serait seraient doit doivent devrait devraient faut peut
peuvent pourrait pourraient ont avait
eran ser será sería serían debe deben debería deberían puede pueden podría podrían está
están estar
ist sind waren wird werden soll sollte sollten muss müssen kann können haben
è sono erano essere deve devono dovrebbe dovrebbero può possono hanno
zijn worden wordt moet moeten zou zouden kunnen heeft hebben
يجب ينبغي يمكن يكون تكون كان كانت
"""
CLAUSE_VERBS: frozenset[str] = frozenset(VERBS.split())

STOP_WORDS: list[str] = sorted(
    set(ENGLISH_STOP_WORDS) | set(FRENCH.split()) | set(SPANISH.split()) | set(ARABIC.split())
)

# Nouns and adjectives in scikit-learn's English list that name what ideas are about: a name
# may hold them ("Personal details", "Bus system", "Fire station", "Interest rate"). Without
# them, "Edit the personal" was a BANKING77 name, its "details" a function word. Words that
# are mostly verbs or particles in requests ("show", "call", "move", "top" of "top up") stay
# out of names: "Show me my alarms", "Denied for top".
NAMING_WORDS = """
amount bill bottom detail empty fire front full interest name part side system thick thin
"""

NAME_STOP_WORDS: frozenset[str] = frozenset(
    [*STOP_WORDS, *GERMAN.split(), *ITALIAN.split(), *DUTCH.split()]
) - frozenset(NAMING_WORDS.split())
