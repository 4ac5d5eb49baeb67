"""What the bot says, in one place (Telegram HTML: anything dynamic must be escaped)."""

HELP = (
    "<b>I brief news articles.</b> Send me a link and I answer with a short summary "
    "and <i>who said what</i> in the article.\n\n"
    "<b>Example:</b> send\n<code>https://www.bbc.com/news/articles/c0000000000o</code>\n\n"
    "I also read pasted article text, and posts forwarded from channels (their links too).\n\n"
    "<b>Commands</b>\n"
    "/brief URL, or /brief as a reply to a message: brief it\n"
    "/settings: summary length; in groups, whether I brief links automatically\n"
    "/help: this message\n\n"
    "In groups, mention me or use /brief as a reply to a message with a link."
)

READING_ARTICLE = "Reading the article…"
READING_TEXT = "Reading the text…"
SHORT_TEXT_HINT = (
    "Send me a link to a news article, or paste the whole article text "
    "(this looks too short to be an article)."
)
BRIEF_USAGE = "Use /brief with a link (<code>/brief https://…</code>) or as a reply to a message with a link or an article."
GROUP_HINT = "Mention me in a message with a link, or reply to one with /brief."
RATE_LIMITED = "You're sending articles faster than I can read them. Please wait a minute and try again."
BUSY = "I'm reading a lot of articles right now. Please try again in a few minutes."
ADMINS_ONLY = "Only group admins can change these settings."
SAVED = "Saved."
MORE = "More"
LESS = "Less"
BRIEF_EXPIRED = "This brief is no longer stored. Send the link again for a fresh one."
BUTTON_NOT_VALID = "Sorry, that button doesn't work."

COMMANDS = [
    ("brief", "Brief a link, or the message you reply to"),
    ("settings", "Summary length and group options"),
    ("help", "What I do, with an example"),
    ("start", "Start"),
]
