// MARK: - The built-in copy of config/moderation.json
//
// Generated from config/moderation.json by scripts/embed-moderation-config.sh;
// a test checks that both decode to the same configuration.

/// The text of `config/moderation.json`, compiled into ``ModerationPolicy/builtIn``.
enum BuiltInModerationConfig {
    /// The JSON document, byte for byte the file in `config/`.
    static let json = #"""
{
  "version": 1,
  "maxVisibleChars": 1500,
  "flagAfterFiltered": 3,
  "appealWindowDays": 183,
  "wordLists": {
    "paymentMethods": ["bank transfer", "wire transfer", "bank wire", "crypto", "cryptos", "bitcoin", "btc", "usdt",
                       "tether", "ethereum", "eth", "ltc", "litecoin", "xmr", "monero", "trc20", "erc20", "bep20", "usdc",
                       "revolut", "skrill", "neteller", "payoneer", "wise transfer", "sepa", "interac", "etransfer",
                       "e-transfer", "alipay", "upi", "cashapp", "cash app", "venmo", "zelle",
                       "gift card", "gift cards", "giftcard", "giftcards", "amazon card", "amazon cards", "amazon gift card", "amazon gift cards",
                       "itunes card", "itunes cards", "google play card", "google play cards", "apple card"]
  },
  "normalization": {
    "confusables": {
      "а": "a", "в": "b", "г": "r", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "п": "n",
      "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ь": "b", "ѕ": "s", "і": "i", "ї": "i", "ј": "j",
      "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ү": "y", "ӏ": "l", "ɡ": "g",
      "А": "a", "В": "b", "Е": "e", "Ё": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c",
      "Т": "t", "У": "y", "Х": "x", "Ѕ": "s", "І": "i", "Ї": "i", "Ј": "j", "Ԁ": "d", "Һ": "h", "Ү": "y", "Ӏ": "l",
      "α": "a", "β": "b", "γ": "y", "ε": "e", "ζ": "z", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
      "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
      "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n", "Ο": "o",
      "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
      "օ": "o", "ս": "u", "հ": "h", "ց": "g", "զ": "q",
      "ϲ": "c", "Ϲ": "c", "ς": "c", "ϳ": "j", "ϱ": "p", "ϰ": "k", "ϒ": "y", "ѵ": "v", "Ѵ": "v", "ѡ": "w", "ҫ": "c", "Ҫ": "c",
      "ҽ": "e", "Ҽ": "e", "ԍ": "g", "Ԍ": "g", "Ԛ": "q", "Ԝ": "w", "ɋ": "q", "ʋ": "v", "ɗ": "d", "ƅ": "b",
      "Ꭺ": "a", "Ᏼ": "b", "Ꮯ": "c", "Ꭼ": "e", "Ꮋ": "h", "Ꭻ": "j", "Ꮶ": "k", "Ꮮ": "l", "Ꮇ": "m", "Ꮲ": "p",
      "Ꮪ": "s", "Ꭲ": "t", "Ꮃ": "w", "Ꮓ": "z",
      "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ł": "l", "ŀ": "l", "ɑ": "a", "ɩ": "i",
      "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k",
      "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v",
      "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
      "‘": "'", "’": "'", "‛": "'", "′": "'", "“": "\"", "”": "\"", "„": "\"",
      "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
      "·": ".", "•": ".", "∙": ".", "‧": ".", "。": ".", "⁄": "/", "∕": "/"
    },
    "leet": { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
              "@": "a", "$": "s", "!": "i", "|": "i" },
    "skeleton": { "l": "i" },
    "digitWords": { "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4",
                    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
                    "cero": "0", "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6", "siete": "7", "ocho": "8", "nueve": "9", "um": "1", "dois": "2", "quatro": "4", "sete": "7", "oito": "8", "nove": "9", "null": "0", "eins": "1", "zwei": "2", "drei": "3", "vier": "4", "funf": "5", "fuenf": "5", "sechs": "6", "sieben": "7", "acht": "8", "neun": "9", "un": "1", "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "sept": "7", "huit": "8", "neuf": "9", "due": "2", "tre": "3", "quattro": "4", "cinque": "5", "sei": "6", "sette": "7", "otto": "8", "jeden": "1", "dwa": "2", "trzy": "3", "cztery": "4", "piec": "5", "szesc": "6", "siedem": "7", "osiem": "8", "dziewiec": "9", "sifir": "0", "bir": "1", "iki": "2", "uc": "3", "dort": "4", "bes": "5", "alti": "6", "yedi": "7", "sekiz": "8", "dokuz": "9" },
    "zeroWords": ["oh", "o"],
    "joinSeparators": " .-_*/\\|~+,'`&",
    "minJoinLength": 5,
    "atWords": ["at", "arroba", "arobase", "chiocciola", "klammeraffe", "malpa", "kukac", "snabel", "apenstaartje", "sobaka"],
    "dotWords": ["dot", "punto", "ponto", "punkt", "point", "kropka", "nokta", "tochka", "pont", "piste", "prikk"]
  },
  "rules": [
    {
      "name": "spam.length",
      "verdict": "hidden",
      "description": "Longer than maxVisibleChars Unicode scalars: hidden as spam.",
      "match": [ { "kind": "length" } ]
    },
    {
      "name": "contact.email",
      "verdict": "filtered",
      "description": "An e-mail address, plain or obfuscated ([at], (dot), spaced letters).",
      "match": [
        {
          "kind": "email",
          "providers": ["gmail", "googlemail", "yahoo", "ymail", "hotmail", "outlook", "msn", "icloud", "aol",
                        "protonmail", "proton", "gmx", "yandex", "zoho", "tutanota", "qq", "mailru"],
          "tlds": ["com", "net", "org", "io", "co", "me", "de", "uk", "fr", "es", "it", "nl", "pl", "ru", "ua", "br",
                   "ca", "au", "in", "jp", "cn", "kr", "eu", "info", "biz", "xyz", "gg", "app", "dev", "live", "site",
                   "online", "store", "shop", "tv", "cc", "us", "ch", "at", "se", "no", "dk", "fi", "cz", "tr", "mx",
                   "ar", "cl", "pt", "be", "gr", "ro", "hu", "sk", "bg", "hr", "lt", "lv", "ee", "is", "ie", "nz",
                   "za", "sg", "hk", "tw", "vn", "th", "my", "id", "ph", "edu", "gov"]
        }
      ]
    },
    {
      "name": "contact.phone",
      "verdict": "filtered",
      "description": "A phone number: 9-15 digits (or spelled-out digits) with phone-like context or formatting.",
      "match": [
        {
          "kind": "phone",
          "minDigits": 9,
          "maxDigits": 15,
          "contextWords": ["call", "calls", "calling", "text", "texts", "txt", "sms", "phone", "phones", "tel",
                           "telephone", "mobile", "cell", "cellphone", "number", "num", "nr", "whatsapp", "wa",
                           "viber", "signal", "telegram", "dial", "ring", "reach", "contact", "digits", "hmu",
                           "imessage", "facetime"],
          "idWords": ["order", "orders", "trade", "trades", "id", "ids", "ref", "reference", "tx", "txid",
                      "transaction", "invoice", "ticket", "tracking", "sku", "item", "listing", "offer", "steamid",
                      "uid", "acc", "account", "serial", "code", "case", "no", "game", "match", "lobby", "server",
                      "guild", "player", "character", "char", "build", "version", "patch", "seed", "pin", "batch"],
          "skipBefore": ["is", "was", "are", "were", "be", "will be", "my", "your", "ur", "our", "his", "her", "their",
                         "the", "a", "an", "this", "that", "its", "it's", "'s", "here", "again", "below"]
        }
      ]
    },
    {
      "name": "contact.link",
      "verdict": "filtered",
      "description": "A URL, www. address, bare domain, or invite/short link (discord.gg, t.me, wa.me), also written with 'dot'; game platforms named by their domain (Battle.net) are names unless a path follows.",
      "match": [
        {
          "kind": "link",
          "domains": ["discord.gg", "discord.com", "discordapp.com", "discord.me", "dsc.gg", "t.me", "telegram.me",
                      "telegram.dog", "wa.me", "chat.whatsapp.com", "whatsapp.com", "m.me", "instagram.com",
                      "instagr.am", "snapchat.com", "signal.me", "signal.group", "join.skype.com", "skype.com",
                      "line.me", "kik.me", "vk.com", "bit.ly", "tinyurl.com", "goo.gl", "linktr.ee", "ig.me",
                      "wa.link"],
          "tlds": ["com", "net", "org", "io", "ru", "de", "uk", "fr", "xyz", "info", "biz", "ly", "gl", "cn", "jp",
                   "kr", "br", "pl", "nl", "es", "eu", "ca", "au", "tk", "ml", "cc", "tv", "co", "dev", "vip", "ee"],
          "allowedDomains": ["ordertimeline.example"],
          "bareNames": ["battle.net", "gog.com", "itch.io"],
          "bareNameTlds": ["io"]
        }
      ]
    },
    {
      "name": "contact.messenger",
      "verdict": "filtered",
      "description": "A messenger used as a contact channel: obfuscated, or next to a contact cue, a handle or a colon; or an invitation to continue off the platform.",
      "match": [
        {
          "kind": "messenger",
          "names": ["discord", "discordapp", "dicsord", "discrod", "whatsapp", "watsapp", "whatapp", "wassap",
                    "telegram", "telegramm", "telgram", "skype", "wechat", "viber", "kakaotalk", "kakao",
                    "instagram", "snapchat", "facebook", "imessage", "icq", "weixin", "wasap", "guasap", "zapzap",
                    "vatsap", "votsap", "telegramu", "diskord"],
          "ambiguousNames": ["signal", "line", "snap", "insta", "ig", "tg", "fb", "kik", "session", "messenger",
                             "threads", "qq", "vk", "wa", "tele", "disc", "dc"],
          "contextWords": ["add", "adding", "added", "dm", "dms", "pm", "pms", "msg", "message", "messages", "text",
                           "contact", "hmu", "hit", "reach", "talk", "chat", "join", "find", "friend", "friends",
                           "call", "ping", "write", "me", "my", "your", "ur", "via", "over", "thru", "through", "off",
                           "outside", "move", "switch", "continue", "server", "id", "username", "user", "name",
                           "handle", "tag", "link", "invite", "inv", "have", "got", "use", "using", "search",
                           "escribeme", "agregame", "hablame", "adicione", "chama", "manda", "schreib", "schreibe",
                           "ecris", "ecrivez", "scrivimi", "aggiungimi", "napisz", "dodaj", "yaz", "ekle"],
          "contextAfter": ["as", "i'm", "im", "i am"],
          "prepositions": ["on", "via", "over", "thru", "through", "por", "pelo", "pela", "ueber", "uber", "sur", "przez"],
          "possessives": ["my", "your", "ur"],
          "requireAny": ["add", "dm", "dms", "pm", "msg", "message", "text", "contact", "hmu", "hit me", "reach",
                         "talk", "chat", "call", "ping", "write", "find me", "username", "handle", "id", "user"],
          "unlessNear": ["nitro"],
          "window": 4,
          "substringMinLength": 6
        },
        {
          "kind": "phrases",
          "phrases": ["outside the site", "outside this site", "outside of the site", "outside the platform",
                      "outside of the platform", "outside the app", "outside the market", "off site", "off the site",
                      "off platform", "off the platform", "talk outside", "deal outside", "trade outside",
                      "continue outside", "move outside", "away from the site", "leave the site",
                      "fuera de la plataforma", "fuera de la pagina", "fuera del sitio", "fora da plataforma",
                      "fora do site", "ausserhalb der plattform", "ausserhalb der seite", "en dehors de la plateforme",
                      "hors de la plateforme", "hors du site", "fuori dalla piattaforma", "fuori dal sito",
                      "poza platforma", "poza strona", "platform disinda", "site disinda", "vne platformy"]
        }
      ]
    },
    {
      "name": "payment.offplatform",
      "verdict": "filtered",
      "description": "Paying outside the platform: a payment method next to a direction to use it, or a fee-dodging phrase.",
      "match": [
        {
          "kind": "phrases",
          "phrases": ["friends and family", "friends & family", "cashapp", "cash app", "venmo", "zelle",
                      "western union", "moneygram", "paysafecard", "paypal me", "pay direct", "pay directly", "pay me directly", "pay you directly",
                      "direct payment", "deal directly", "trade directly", "buy directly", "sell directly", "pay outside", "pay off site", "pay off platform", "skip the fee",
                      "skip the fees", "skip the site fee", "skip site fee", "avoid the fee", "avoid the fees",
                      "avoid fees", "avoid the site fee", "bypass the fee", "bypass the site", "without the site fee",
                      "no site fee", "save the fee", "save the fees", "save on fees", "wallet address", "cashtag",
                      "payment outside", "iban", "pay me personally", "pay me privately", "pay on the side",
                      "pay me on the side", "off the books", "without the platform", "without the site",
                      "discount if you pay", "cheaper if you pay", "pay me outside"]
        },
        {
          "kind": "near",
          "first": ["paypal", "cashapp", "cash app", "venmo", "zelle", "revolut", "wise transfer", "skrill",
                    "neteller", "payoneer", "western union", "moneygram", "bitcoin", "btc", "ethereum", "eth",
                    "usdt", "tether", "ltc", "litecoin", "xmr", "monero", "crypto", "cryptos", "binance",
                    "trc20", "erc20", "bep20", "usdc", "bank transfer", "wire transfer", "bank account", "iban",
                    "sepa", "interac", "etransfer", "e-transfer", "apple pay", "google pay", "gpay", "alipay",
                    "paysafecard", "upi", "pix key"],
          "second": ["pay me", "pay you", "pay u", "pay in", "send", "sending", "sent to", "transfer", "my", "your", "ur",
                     "direct", "directly", "instead", "outside", "fee", "fees", "address", "tag", "f&f", "ff",
                     "friends and family", "personal", "accept", "accepts", "take", "takes", "prefer", "cheaper",
                     "deal", "discount", "wallet", "off if you", "off if u"],
          "anyOrder": true,
          "maxGap": 4
        },
        {
          "kind": "near",
          "first": ["pay", "paying", "payment"],
          "second": ["list:paymentMethods"],
          "maxGap": 2,
          "withinClause": true
        },
        {
          "kind": "near",
          "first": ["can do", "i do", "we do", "i can do"],
          "second": ["list:paymentMethods"],
          "maxGap": 0,
          "withinClause": true
        },
        {
          "kind": "near",
          "first": ["list:paymentMethods"],
          "second": ["only", "is fine", "is ok", "is okay", "fine", "works", "me", "preferred"],
          "maxGap": 1,
          "withinClause": true
        },
        { "kind": "wallet" }
      ]
    },
    {
      "name": "harassment",
      "verdict": "filtered",
      "description": "Insults, threats and harassment: insult words and phrases, and insults aimed at 'you'.",
      "match": [
        {
          "kind": "phrases",
          "phrases": ["idiota", "idiotas", "imbecil", "estupido", "estupida", "pendejo", "gilipollas", "cabron", "hijo de puta", "otario", "babaca", "arschloch", "wichser", "vollidiot", "hurensohn", "connard", "connasse", "salope", "encule", "stronzo", "coglione", "vaffanculo", "kurwa", "chuj", "salak", "aptal", "gerizekali", "orospu", "mudak", "idiot", "idiots", "moron", "morons", "imbecile", "dumbass", "dumbfuck", "dipshit", "asshole",
                      "assholes", "arsehole", "bitch", "bitches", "motherfucker", "fucker", "cunt", "douchebag",
                      "scumbag", "jackass", "shithead", "dickhead", "wanker", "twat", "cocksucker",
                      "son of a bitch", "piece of shit", "piece of crap", "piece of garbage", "piece of trash",
                      "kill yourself", "kill urself", "kill your self", "kill ur self", "kys", "go kill yourself",
                      "hope you die", "hope u die", "die in a fire", "fuck you", "fuck u", "fuck off",
                      "fuck ya", "screw you", "screw u", "stfu", "shut the fuck up", "gtfo", "eat shit", "you suck",
                      "u suck", "get cancer", "neck yourself", "rope yourself", "drink bleach", "i will find you",
                      "i know where you live", "fucking scammer", "cretin", "cretins", "fuckoff", "fuckyou", "fucku",
                      "fck you", "fck u", "fck off", "fk you", "fk off", "fuk you", "fuk u", "fuk off", "fuq you", "f you",
                      "hunt you down", "hunt u down", "scammer piece", "waste of oxygen",
                      "waste of space", "trash human"]
        },
        {
          "kind": "near",
          "first": ["you are", "you re", "youre", "u are", "u r", "ur", "you is", "ya are"],
          "second": ["stupid", "dumb", "pathetic", "worthless", "useless", "trash", "garbage", "liar", "thief",
                     "rat", "braindead", "brain dead", "clown", "loser", "scum", "scammer", "fraud", "disgrace",
                     "joke", "bastard", "prick", "jerk", "disgusting", "retarded", "dead meat"],
          "gapWords": ["a", "an", "such", "so", "fucking", "fking", "fkn", "freaking", "absolute", "absolutely",
                       "total", "totally", "complete", "literally", "just", "real", "little", "big", "damn", "dirty",
                       "the", "one", "biggest", "really", "very", "lying", "stinking", "filthy"],
          "maxGap": 3,
          "withinClause": true
        },
        {
          "kind": "near",
          "first": ["you", "u", "ya"],
          "second": ["scammer", "scum", "loser", "bastard", "prick", "clown", "jerk", "liar", "thief", "fraud"],
          "gapWords": ["fucking", "fking", "fkn", "freaking", "dirty", "little", "stupid", "damn", "lying", "filthy",
                       "stinking", "absolute", "big"],
          "maxGap": 2,
          "withinClause": true
        },
        {
          "kind": "near",
          "first": ["go to", "go straight to"],
          "second": ["hell"],
          "maxGap": 0,
          "notAfter": ["i", "i'll", "i'm", "im", "we", "we'll", "we're", "let's", "lets", "us", "they", "they'll"],
          "skipBefore": ["will", "can", "could", "should", "gonna", "wanna", "want to", "need to", "have to", "to",
                         "just", "now", "first", "then", "all", "both", "finally", "also"]
        },
        {
          "kind": "near",
          "first": ["i", "i'll", "ill", "i'm", "im", "i am", "we", "we'll", "i'd", "gonna"],
          "second": ["kill you", "kill u", "kill ya", "murder you", "hunt you", "hurt you", "hurt u", "stab you",
                     "beat you up", "break your legs"],
          "gapWords": ["will", "gonna", "going to", "going", "to", "am", "swear", "literally", "really", "fucking",
                       "actually", "would", "find", "you", "and", "then", "come", "personally"],
          "notAfter": ["if", "did", "didn't", "when", "sorry", "not", "never", "that"],
          "maxGap": 5,
          "withinClause": true
        },
        {
          "kind": "near",
          "first": ["are you", "are u", "r u", "r you", "is this guy", "is he", "is she"],
          "second": ["stupid", "dumb", "retarded", "braindead", "brain dead", "an idiot", "a moron", "mental"],
          "gapWords": ["so", "that", "really", "fucking", "just", "actually", "literally", "this"],
          "maxGap": 2,
          "withinClause": true
        },
        {
          "kind": "near",
          "first": ["stupid", "dumb", "retarded", "brainless", "braindead", "pathetic", "worthless", "fucking"],
          "second": ["seller", "sellers", "buyer", "buyers", "trader", "person", "guy", "kid", "noob", "loser"],
          "gapWords": ["ass", "fucking", "little", "lying"],
          "maxGap": 1,
          "withinClause": true
        },
        {
          "kind": "phrases",
          "phrases": ["get lost", "go away", "piss off", "shut up", "beat it"],
          "requireAny": ["loser", "losers", "clown", "bozo", "noob", "scrub", "freak", "weirdo", "peasant", "idiot",
                         "moron", "scammer", "rat"]
        }
      ]
    },
    {
      "name": "pressure.close_dispute",
      "verdict": "flagged",
      "description": "Asking the other party to close, cancel or withdraw a dispute (not 'I will close it').",
      "match": [
        {
          "kind": "near",
          "first": ["close", "cancel", "remove", "withdraw", "drop", "delete", "retract", "take down", "pull",
                    "stop", "end the", "end this", "end that", "end your", "end ur", "take back", "call off",
                    "close out", "mark"],
          "second": ["dispute", "disputes", "claim", "claims", "chargeback"],
          "maxGap": 2,
          "withinClause": true,
          "notAfter": ["i", "i'll", "i'm", "i've", "i'd", "me", "we", "we'll", "us", "support", "staff", "admin", "admins",
                       "mods", "they", "he", "she", "it", "not", "never", "dont", "don't", "wont", "won't", "cant",
                       "can't", "didnt", "didn't", "the", "a", "an", "this", "that", "his", "her", "our", "their",
                       "how", "where", "button", "option", "way", "link", "tab", "menu", "page", "form"],
          "skipBefore": ["will", "can", "could", "would", "shall", "should", "gonna", "going to", "to", "just",
                         "then", "want", "wanna", "need", "have", "like", "please", "pls", "plz", "now", "also",
                         "already", "finally", "gladly", "happily", "immediately", "about", "ready", "able",
                         "happy", "glad", "trying", "try", "click", "press", "tap", "do"]
        },
        {
          "kind": "near",
          "first": ["until", "till", "unless", "before"],
          "second": ["dispute is closed", "dispute closed", "dispute is cancelled", "dispute is canceled",
                     "dispute is removed", "dispute is withdrawn", "dispute is gone", "claim is closed",
                     "claim is withdrawn", "dispute is dropped"],
          "maxGap": 2,
          "withinClause": true,
          "requireAny": ["no", "nothing", "not", "won't", "wont", "never", "only"]
        },
        {
          "kind": "near",
          "first": ["close", "cancel", "withdraw", "drop", "retract", "remove"],
          "second": ["it", "that"],
          "maxGap": 0,
          "withinClause": true,
          "requireAny": ["dispute", "disputes", "chargeback"],
          "notAfter": ["i", "i'll", "i'm", "i've", "i'd", "me", "we", "we'll", "us", "support", "staff", "admin", "admins",
                       "mods", "they", "he", "she", "it", "not", "never", "dont", "don't", "wont", "won't", "cant",
                       "can't", "didnt", "didn't", "how", "where", "and", "or"],
          "skipBefore": ["will", "can", "could", "would", "shall", "should", "gonna", "going to", "to", "just",
                         "then", "want", "wanna", "need", "have", "like", "please", "pls", "plz", "also",
                         "already", "finally", "gladly", "happily", "immediately", "about", "ready", "able",
                         "happy", "glad", "trying", "try", "click", "press", "tap", "do"]
        },
        {
          "kind": "near",
          "first": ["close", "cancel", "remove", "withdraw", "drop", "delete", "retract", "take down", "pull",
                    "stop", "call off", "close out"],
          "second": ["case", "ticket", "report", "complaint", "appeal"],
          "maxGap": 2,
          "withinClause": true,
          "requireAny": ["first", "then", "before", "or else", "otherwise", "and i", "and i'll", "if you", "so i",
                         "asap", "now", "deliver", "send", "refund", "or i"],
          "notAfter": ["i", "i'll", "i'm", "i've", "i'd", "me", "we", "we'll", "us", "support", "staff", "admin", "admins",
                       "mods", "they", "he", "she", "it", "not", "never", "dont", "don't", "wont", "won't", "cant",
                       "can't", "didnt", "didn't", "the", "a", "an", "this", "that", "his", "her", "our", "their",
                       "how", "where", "button", "option", "way", "link", "tab", "menu", "page", "form"],
          "skipBefore": ["will", "can", "could", "would", "shall", "should", "gonna", "going to", "to", "just",
                         "then", "want", "wanna", "need", "have", "like", "please", "pls", "plz", "now", "also",
                         "already", "finally", "gladly", "happily", "immediately", "about", "ready", "able",
                         "happy", "glad", "trying", "try", "click", "press", "tap", "do"]
        }
      ]
    }
  ]
}
"""#
}
