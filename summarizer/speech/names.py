"""Common English-language given names by usual gender, so "she said" skips "Marcus Rojo".

Only a hint for pronoun resolution: a name not listed here (or used by both) tells nothing,
and what the article itself says (Mr/Ms, "spokeswoman", he/she next to the name) comes first.
"""

from __future__ import annotations

MALE = frozenset("""
aaron adam adrian ahmed alan albert alex alexander alexei ali allan andre andrew andy angelo anthony antonio
arthur barack barry ben benjamin bernard bernie bill billy bob bobby boris brad bradley brandon brendan brian
bruce bryan carl carlos charles charlie chris christian christopher clive colin craig daniel danny darren
david dean dennis derek dmitry dominic donald doug douglas duncan dylan ed eddie edmund edward emmanuel eric
erik evan frank fred frederick gareth gary gavin geoff george gerald gerard giuseppe gordon graham greg
gregory harold harry henry hugh ian isaac ivan jack jacob jake james jamie jason jean jeff jeffrey jeremy jerry
jim jimmy joe joel john johan johnny jon jonathan jordan jorge jose joseph josh joshua juan justin keith kenneth
kevin kyle lawrence lee leo leonard lewis liam louis luis luke marco marcus mark martin matt matthew
michael miguel mike mitch mohamed mohammed muhammad nathan neil nicholas nick nigel noah oliver omar oscar
pablo patrick paul pedro pete peter phil philip rafael ralph raymond richard rick rob robert robbie roberto
rodrigo roger ron ronald ross roy russell ryan sam samuel scott sean sebastian sergei sergey simon stefan
stephen steve steven stuart ted terry thomas tim timothy tom tommy tony vladimir walter warren wayne william
xavier yuri zach
""".split())

FEMALE = frozenset("""
abigail ada agnes alexandra alice alicia alison amanda amber amy ana andrea angela angelina ann anna anne
annie barbara beatrice becky beth betty beverly brenda bridget britney caitlin camilla carla carol caroline
carolyn catherine charlotte chelsea cheryl chloe christina christine claire clare claudia cynthia daisy dana
deborah debbie denise diana diane donna doris dorothy elaine eleanor elena elizabeth ella ellen emily emma
erin eva evelyn fiona florence frances gemma georgia gillian gina grace hannah harriet heather helen hillary
holly irene isabel isabella jackie jacqueline jane janet janice jasmine jean jennifer jenny jessica jill joan
joanna jodie josephine joyce judith judy julia julie karen kate katherine kathleen kathryn katie kelly kim
kirsty laura lauren leah lily linda lisa liz lizzi lizzie louise lucy lydia lynn madeleine maggie margaret
maria marie marion martha mary megan melanie melissa michelle miriam molly monica nancy naomi natalie natasha
nicola nicole nina olivia pamela patricia paula pauline penelope penny rachel rebecca rita rose ruth sally
samantha sandra sara sarah sharon sheila shirley sophie stephanie sue susan suzanne tamara teresa theresa
tina tracy valerie vanessa victoria virginia wendy yvonne zoe june ruby rosie sophia mia ava amelia
isla freya poppy ellie evie jade kerry leanne stacey paige chantelle
""".split())


def gender_of_first_name(name: str) -> str | None:
    """'m', 'f' or None for a given name (case-insensitive)."""
    low = name.lower()
    if low in MALE and low not in FEMALE:
        return "m"
    if low in FEMALE and low not in MALE:
        return "f"
    return None
