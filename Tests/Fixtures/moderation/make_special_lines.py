#!/usr/bin/env python3
"""Builds the special lines of the moderation corpus: the lines that carry
crypto wallet addresses (valid ones for violations, near-miss id-like strings
for honest lines) and the long lines (spam > 1500 Unicode scalars, honest long
messages <= 1500).  Standard library only; deterministic (fixed seeds).

    python3 make_special_lines.py dev|holdout      # print the special lines as JSON lines
    python3 make_special_lines.py --check FILE...  # check wallets and lengths in finished files

Everything else in dev.jsonl / holdout.jsonl was written by hand.
"""
import hashlib
import json
import random
import re
import sys

# ---------------------------------------------------------------- Keccak-256
_RC = [
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]
_ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61],
        [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]
_M = (1 << 64) - 1


def _rol(v, n):
    n %= 64
    return ((v << n) | (v >> (64 - n))) & _M if n else v


def _keccak_f(a):
    for rc in _RC:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rol(c[(x + 1) % 5], 1) for x in range(5)]
        a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = _rol(a[x][y], _ROT[x][y])
        a = [[b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y]) for y in range(5)]
             for x in range(5)]
        a[0][0] ^= rc
    return a


def keccak256(data: bytes) -> bytes:
    """Original Keccak (pad 0x01), as used by Ethereum and Monero; not SHA3-256."""
    rate = 136
    msg = bytearray(data) + b"\x01"
    while len(msg) % rate:
        msg += b"\x00"
    msg[-1] |= 0x80
    a = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        block = msg[off:off + rate]
        for i in range(rate // 8):
            x, y = i % 5, i // 5
            a[x][y] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        a = _keccak_f(a)
    out = b""
    for i in range(4):
        x, y = i % 5, i // 5
        out += a[x][y].to_bytes(8, "little")
    return out


# ---------------------------------------------------------------- base58
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(b: bytes) -> str:
    n = int.from_bytes(b, "big")
    s = ""
    while n:
        n, r = divmod(n, 58)
        s = B58[r] + s
    pad = len(b) - len(b.lstrip(b"\x00"))
    return "1" * pad + s


def b58decode(s: str):
    n = 0
    for ch in s:
        if ch not in B58:
            return None
        n = n * 58 + B58.index(ch)
    pad = len(s) - len(s.lstrip("1"))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\x00" * pad + body


def dsha(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def b58check_encode(version: int, payload: bytes) -> str:
    raw = bytes([version]) + payload
    return b58encode(raw + dsha(raw)[:4])


def b58check_decode(s: str):
    raw = b58decode(s)
    if raw is None or len(raw) < 5:
        return None
    body, chk = raw[:-4], raw[-4:]
    return body if dsha(body)[:4] == chk else None


# ---------------------------------------------------------------- bech32 / bech32m
CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32, BECH32M = 1, 0x2BC830A3


def _polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((b >> i) & 1) else 0
    return chk


def _hrp_expand(hrp):
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def _convertbits(data, frm, to, pad=True):
    acc = bits = 0
    ret = []
    maxv = (1 << to) - 1
    for v in data:
        acc = (acc << frm) | v
        bits += frm
        while bits >= to:
            bits -= to
            ret.append((acc >> bits) & maxv)
    if pad and bits:
        ret.append((acc << (to - bits)) & maxv)
    elif not pad and (bits >= frm or ((acc << (to - bits)) & maxv)):
        return None
    return ret


def segwit_encode(hrp, witver, prog: bytes) -> str:
    const = BECH32 if witver == 0 else BECH32M
    data = [witver] + _convertbits(prog, 8, 5)
    pm = _polymod(_hrp_expand(hrp) + data + [0] * 6) ^ const
    chk = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[d] for d in data + chk)


def segwit_decode(addr: str):
    if addr.lower() != addr and addr.upper() != addr:
        return None
    addr = addr.lower()
    pos = addr.rfind("1")
    if pos < 1 or pos + 7 > len(addr) or len(addr) > 90:
        return None
    hrp, data = addr[:pos], addr[pos + 1:]
    if any(c not in CHARSET for c in data):
        return None
    vals = [CHARSET.index(c) for c in data]
    const = _polymod(_hrp_expand(hrp) + vals)
    if const not in (BECH32, BECH32M):
        return None
    witver = vals[0]
    prog = _convertbits(vals[1:-6], 5, 8, False)
    if prog is None or not (2 <= len(prog) <= 40) or witver > 16:
        return None
    if witver == 0 and (const != BECH32 or len(prog) not in (20, 32)):
        return None
    if witver != 0 and const != BECH32M:
        return None
    return hrp, witver, bytes(prog)


# ---------------------------------------------------------------- Ethereum
def eip55(addr20: bytes) -> str:
    h = addr20.hex()
    k = keccak256(h.encode()).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(k[i], 16) >= 8 else c
                          for i, c in enumerate(h))


def eth_valid(s: str) -> bool:
    if not re.fullmatch(r"0x[0-9a-fA-F]{40}", s):
        return False
    h = s[2:]
    if h == h.lower() or h == h.upper():
        return True
    return eip55(bytes.fromhex(h)) == s


# ---------------------------------------------------------------- Monero (format + keccak checksum)
_XMR_FULL = [0, 2, 3, 5, 6, 7, 9, 10, 11]


def xmr_b58encode(b: bytes) -> str:
    out = ""
    for i in range(0, len(b), 8):
        blk = b[i:i + 8]
        n = int.from_bytes(blk, "big")
        s = ""
        while n:
            n, r = divmod(n, 58)
            s = B58[r] + s
        out += s.rjust(_XMR_FULL[len(blk)], "1")
    return out


def xmr_b58decode(s: str):
    out = b""
    for i in range(0, len(s), 11):
        blk = s[i:i + 11]
        if blk and len(blk) not in _XMR_FULL:
            return None
        size = _XMR_FULL.index(len(blk))
        n = 0
        for ch in blk:
            if ch not in B58:
                return None
            n = n * 58 + B58.index(ch)
        if n >= 1 << (8 * size):
            return None
        out += n.to_bytes(size, "big")
    return out


def xmr_address(rng) -> str:
    body = bytes([0x12]) + bytes(rng.getrandbits(8) for _ in range(64))
    return xmr_b58encode(body + keccak256(body)[:4])


def xmr_valid(s: str) -> bool:
    if len(s) != 95 or s[0] != "4":
        return False
    raw = xmr_b58decode(s)
    return raw is not None and len(raw) == 69 and keccak256(raw[:65])[:4] == raw[65:]


# ---------------------------------------------------------------- generators
def rbytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def gen(kind, rng):
    if kind == "BTC1":
        return b58check_encode(0x00, rbytes(rng, 20))
    if kind == "BTC3":
        return b58check_encode(0x05, rbytes(rng, 20))
    if kind == "BC1Q":
        return segwit_encode("bc", 0, rbytes(rng, 20))
    if kind == "BC1P":
        return segwit_encode("bc", 1, rbytes(rng, 32))
    if kind == "LTCL":
        return b58check_encode(0x30, rbytes(rng, 20))
    if kind == "LTCM":
        return b58check_encode(0x32, rbytes(rng, 20))
    if kind == "LTC1":
        return segwit_encode("ltc", 0, rbytes(rng, 20))
    if kind == "TRX":
        return b58check_encode(0x41, rbytes(rng, 20))
    if kind == "ETH":
        return eip55(rbytes(rng, 20))
    if kind == "ETHL":
        return "0x" + rbytes(rng, 20).hex()
    if kind == "SOL":
        while True:
            s = b58encode(rbytes(rng, 32))
            if len(s) >= 43:
                return s
    if kind == "XMR":
        return xmr_address(rng)
    raise KeyError(kind)


def valid_wallet(tok: str):
    """Name of the chain if tok is a valid address of one, else None."""
    if eth_valid(tok):
        return "ETH"
    if xmr_valid(tok):
        return "XMR"
    low = tok.lower()
    if low.startswith(("bc1", "ltc1", "tb1")) and segwit_decode(tok):
        return "BECH32"
    if 25 <= len(tok) <= 35 and all(c in B58 for c in tok):
        body = b58check_decode(tok)
        if body is not None and len(body) == 21 and body[0] in (0x00, 0x05, 0x30, 0x32, 0x41):
            return {0x00: "BTC", 0x05: "BTC", 0x30: "LTC", 0x32: "LTC", 0x41: "TRON"}[body[0]]
    if 32 <= len(tok) <= 44 and all(c in B58 for c in tok):
        raw = b58decode(tok)
        if raw is not None and len(raw) == 32:
            return "SOL"
    return None


def find_wallets(text: str):
    import unicodedata
    t = unicodedata.normalize("NFKC", text)
    t = re.sub("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]", "", t)
    found = []
    for tok in re.findall(r"[0-9A-Za-z]{25,110}", t):
        w = valid_wallet(tok)
        if w:
            found.append((w, tok))
    return found


def break_checksum(addr: str, rng, alphabet=B58) -> str:
    """Change one character so that the checksum no longer verifies."""
    for _ in range(1000):
        i = rng.randrange(2, len(addr) - 1)
        c = rng.choice(alphabet)
        if c == addr[i]:
            continue
        bad = addr[:i] + c + addr[i + 1:]
        if valid_wallet(bad) is None and bad != addr:
            return bad
    raise RuntimeError("could not break " + addr)


def bad(kind, rng):
    a = gen(kind, rng)
    if kind in ("BC1Q", "BC1P", "LTC1"):
        return break_checksum(a, rng, CHARSET)
    if kind == "ETH":
        # flip the case of one letter: mixed case with a wrong EIP-55 checksum
        letters = [i for i, c in enumerate(a) if i > 1 and c.isalpha()]
        for i in letters:
            b = a[:i] + a[i].swapcase() + a[i + 1:]
            h = b[2:]
            if h != h.lower() and h != h.upper() and not eth_valid(b):
                return b
        raise RuntimeError
    return break_checksum(a, rng)


def hexs(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


SLOT = re.compile(r"\{HEX(\d+)\}|\{HEXU(\d+)\}|\{(BAD_)?([A-Z0-9]+)\}")


def fill(text, rng):
    def rep(m):
        if m.group(1):
            return hexs(rng, int(m.group(1)))
        if m.group(2):
            return hexs(rng, int(m.group(2))).upper()
        if m.group(3):
            return bad(m.group(4), rng)
        return gen(m.group(4), rng)
    return SLOT.sub(rep, text)


def zw_inside(s, every=7):
    return "\u200b".join(s[i:i + every] for i in range(0, len(s), every))


FW = {c: chr(ord(c) + 0xFEE0) for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def fullwidth(s):
    return "".join(FW.get(c, c) for c in s)


# ---------------------------------------------------------------- the lines
# (text, lang, item, note); {KIND} is replaced by a fresh valid address, {BAD_KIND}
# by one with a broken checksum, {HEXn} by n random hex digits.
WALLET = {
    "dev": [
        ("send the 45 usdt to {ETHL} and ill release the gold right now", "en", "5000 WoW gold EU", "ETH address for direct payment"),
        ("btc only bro {BTC1}", "en", "Valorant account Diamond 2", "BTC P2PKH address for payment"),
        ("cheaper if you pay here, no site fee: {BC1Q}", "en", "AK-47 | Redline (Field-Tested)", "bech32 address, pay outside"),
        ("USDT TRC20 {TRX} send 30 and i deliver in 5 min", "en", "Fortnite 1000 V-Bucks", "TRON address for payment"),
        ("my ltc is {LTCL} , send the rest there", "en", "OSRS gold 100M", "LTC address"),
        ("xmr preferred, no questions: {XMR}", "en", "CS2 Prime account", "Monero address"),
        ("sol addy {SOL} (phantom) 0.4 sol and its yours", "en", "Rust skin Tempered AK", "Solana address for payment"),
        ("taproot works too {BC1P}", "en", "Diablo IV gold 1B", "bech32m address"),
        ("Скинь 50 usdt сюда {TRX} и закрываем сделку", "ru", "Escape from Tarkov Roubles 50M", "TRON address, RU"),
        ("envíame los 20 dólares en BTC a {BTC3}", "es", "EA FC 25 coins 1M PS5", "P2SH address, ES"),
        ("manda em usdt na rede erc20: {ETH}", "pt", "Free Fire 1080 diamonds", "EIP-55 ETH address, PT"),
        ("Bana direkt at kardeşim, ETH adresim {ETHL}", "tr", "PUBG Mobile 660 UC", "ETH address, TR"),
        ("直接打币到这个地址 {TRX} 更便宜", "zh", "原神 创世结晶 6480", "TRON address, ZH"),
        ("Zahl einfach auf meine Wallet, {BC1Q}, dann spart ihr beide die Gebühr", "de", "Path of Exile Divine Orb x50", "bech32 address, DE"),
        ("Кидай на гаманець {LTCM} , так швидше", "uk", "Dota 2 Arcana Terrorblade", "LTC P2SH address, UK"),
        ("Przelej w BTC na {BTC1} to dam ci rabat", "pl", "Steam gift card 20 EUR", "BTC address, PL"),
        ("Paie-moi en SOL ici : {SOL}", "fr", "Lost Ark gold 100k EU", "Solana address, FR"),
        ("Pagami in USDT su questo indirizzo {ETH} e ti faccio lo sconto", "it", "FIFA 23 coins", "ETH address, IT"),
        ("サイト通さずにこちらへ送金してください {BC1Q}", "ja", "モンスト オーブ 1000個", "bech32 address, JA"),
        ("수수료 아끼려면 여기로 보내주세요 {TRX}", "ko", "로스트아크 골드 10만", "TRON address, KO"),
        # written to evade: zero-width characters and full-width letters inside the address
        ("eth: <<ZW:{ETHL}>> pay there pls", "en", "Apex Legends 1000 coins", "ETH address with zero-width spaces inside (bypass)"),
        ("my wallet <<FW:{BTC1}>> ok?", "en", "GTA Online 100M cash", "BTC address in full-width characters (bypass)"),
        ("оплата сюда → <<ZW:{BC1Q}>>", "ru", "Warface 5000 кредитов", "bech32 address split by zero-width chars (bypass)"),
        ("ltc1 works for me {LTC1}, tell me when sent", "en", "FFXIV gil 10M", "LTC bech32 address"),
    ],
    "holdout": [
        ("pay 0.0012 btc to {BC1Q} and i send the account details", "en", "League of Legends account EUW level 30", "bech32 address for payment"),
        ("here is my usdt (trc20) {TRX}", "en", "Roblox 800 Robux", "TRON address"),
        ("skip the escrow, just send eth to {ETH}", "en", "★ Karambit | Doppler (Factory New)", "EIP-55 ETH address"),
        ("{BTC3} <- 25$ in btc and we are good", "en", "Overwatch 2 coins 2200", "P2SH address"),
        ("monero only {XMR}", "en", "Minecraft Java account", "Monero address"),
        ("i take LTC too, {LTCM}", "en", "Genshin Impact 6480 Genesis Crystals", "LTC P2SH address"),
        ("phantom wallet: {SOL} send 1.2 SOL", "en", "Albion Online silver 50M", "Solana address"),
        ("bc1p is fine right? {BC1P}", "en", "WoW Mythic+ 20 boost", "taproot address"),
        ("Переведи на мой кошелёк {BTC1}, без комиссии площадки", "ru", "World of Tanks аккаунт", "BTC address, RU"),
        ("Te paso mi wallet de USDT: {ETHL}", "es", "Valorant Points 5350", "ETH address, ES"),
        ("faz o pix não, manda cripto mesmo: {LTCL}", "pt", "Conta Valorant Imortal", "LTC address, PT"),
        ("Kripto ile öde daha ucuz olur {TRX}", "tr", "Valorant 2050 VP", "TRON address, TR"),
        ("加我钱包地址 {ETH} 转USDT", "zh", "王者荣耀 点券 1000", "ETH address, ZH"),
        ("Überweis die 40 Euro lieber in BTC an {BTC3}", "de", "Diablo IV gold 1B", "BTC P2SH address, DE"),
        ("Ось моя адреса USDT TRC20: {TRX}", "uk", "CS2 Prime account", "TRON address, UK"),
        ("Wyślij na ten portfel {ETHL}, tak będzie taniej", "pl", "Lost Ark gold 100k EU", "ETH address, PL"),
        ("Envoie plutôt en BTC sur {BC1Q} stp", "fr", "Compte Fortnite Skin Galaxy", "bech32 address, FR"),
        ("Mandami i soldi in monero {XMR}", "it", "Account Clash Royale", "Monero address, IT"),
        ("手数料なしでこのアドレスに送ってね {TRX}", "ja", "原神 アカウント", "TRON address, JA"),
        ("이 주소로 USDT 보내주시면 바로 드림 {ETH}", "ko", "메이플스토리 메소 10억", "ETH address, KO"),
        ("ⓑⓣⓒ: <<FW:{BTC1}>>", "en", "Steam gift card 20 EUR", "full-width BTC address (bypass)"),
        ("s e n d  h e r e <<ZW:{TRX}>>", "en", "PUBG Mobile 660 UC", "TRON address with zero-width chars (bypass)"),
        ("кошель: <<ZW:{ETHL}>> туда кидай", "ru", "Escape from Tarkov Roubles 50M", "ETH address with zero-width chars (bypass)"),
        ("sol pls {SOL}", "en", "Mobile Legends 500 diamonds", "Solana address"),
    ],
}

IDLIKE = {
    "dev": [
        ("the launcher crashed with error 0x{HEX8} when i tried to log in, is the account region locked?", "en", "Valorant account Diamond 2", "8-hex error code, not a wallet"),
        ("sha256 of the screenshot I uploaded as evidence: {HEX64}", "en", "AK-47 | Redline (Field-Tested)", "64-hex file hash, not a wallet"),
        ("my Epic account ID is {HEX32} if you need it for the V-Bucks gift", "en", "Fortnite 1000 V-Bucks", "32-hex Epic account id"),
        ("the bot's trade offer has security code {BAD_BTC1}, is that the one you sent?", "en", "AWP | Asiimov (Battle-Scarred)", "base58-looking code with a wrong checksum"),
        ("redeem code from the email: {BAD_BTC3} — says invalid for me, can you check?", "en", "Roblox 800 Robux", "base58-looking string, bad checksum"),
        ("build hash shown in the client corner: {HEX40}", "en", "Minecraft Java account", "40 hex without 0x, not an address"),
        ("Код ошибки 0x{HEXU8} при входе, что делать?", "ru", "World of Tanks аккаунт", "hex error code"),
        ("这个兑换码 {BAD_TRX} 显示无效，能再发一次吗", "zh", "原神 创世结晶 6480", "base58-looking code with bad checksum"),
        ("Der Key {BAD_LTCL} funktioniert nicht, kannst du nachsehen?", "de", "Cyberpunk 2077 Steam key", "key-like string, bad checksum"),
        ("hash do print que mandei: {HEX64}", "pt", "Conta Valorant Imortal", "64-hex hash"),
        ("Toda la info: Epic ID {HEX32}, región EU", "es", "Fortnite 1000 V-Bucks", "32-hex id"),
        ("log says tx id 0x{HEX64} for the marketplace payment, support can see it", "en", "Diablo IV gold 1B", "64-hex id of the platform's own payment"),
    ],
    "holdout": [
        ("game keeps crashing 0x{HEXU8}, is that my gpu or the account?", "en", "CS2 Prime account", "hex error code, not wallet"),
        ("hash of the video evidence {HEX64}", "en", "★ Karambit | Doppler (Factory New)", "file hash"),
        ("here's the Epic ID for the gift {HEX32}", "en", "Fortnite 1000 V-Bucks", "Epic account id, 32 hex"),
        ("the key you sent is {BAD_BTC1} and steam says it's not valid lol", "en", "Cyberpunk 2077 Steam key", "base58-looking key, bad checksum"),
        ("weird, the voucher reference on my receipt is {BAD_BC1Q}", "en", "Steam gift card 20 EUR", "bech32-looking with wrong checksum"),
        ("Fehlercode 0x{HEXU8} beim Einlösen", "de", "PlayStation Store 50 EUR", "hex error code"),
        ("Мой Epic ID: {HEX32}, регион EU", "ru", "Fortnite 1000 V-Bucks", "32-hex id"),
        ("兑换失败，错误代码 0x{HEXU8}", "zh", "王者荣耀 点券 1000", "hex error code"),
        ("キーが {BAD_BTC3} で合ってますか？エラーになります", "ja", "Steam ゲームキー", "key-like base58, bad checksum"),
        ("commit {HEX40} of the mod pack, same as on the server", "en", "Minecraft Java account", "40 hex without 0x"),
        ("o código que apareceu foi {BAD_TRX}, tá certo?", "pt", "Roblox 800 Robux", "base58-like, bad checksum"),
        ("contract check: 0x{HEX38} isn't even an address, someone in global chat was trolling", "en", "Apex Legends 1000 coins", "0x + 38 hex, wrong length"),
    ],
}


def _honest_sentences(half):
    if half == "dev":
        return [
            "Hi! Thanks for buying the Mythic+ 20 boost, here is how it will go.",
            "First, please make sure your character is at least item level 480 and has the keystone in the bags.",
            "We play in a group of four boosters, you join as the fifth, so you will need to be online the whole time.",
            "The run usually takes around 25 to 35 minutes, depending on the affixes this week.",
            "If the group wipes we simply restart the key, there is no extra charge for that.",
            "Loot is yours, we do not roll on anything, and you can trade us nothing at all.",
            "Please do not leave the group before the final boss, otherwise the timer will not count.",
            "After the key is completed I will mark the order as delivered here on the site.",
            "You then have time to check the achievement and the rating in your profile.",
            "If something went wrong, just open a dispute here and support will look at the logs.",
            "I am online most days from 18:00 to 23:00 CET, and on weekends from noon.",
            "Let me know in this chat which time suits you best, and which dungeon you prefer.",
            "Also tell me your spec, so we can bring the right healer and tank.",
            "If you want the vault reward, we can do two more keys later in the week for the same price each.",
            "Thanks again and see you in the dungeon!",
            "One more thing: keep your authenticator on, we never need your password for this kind of boost.",
        ]
    return [
        "Hey, thanks for the order! I have the AK-47 Redline ready in my inventory.",
        "Before I send the trade offer, please check a few things on your side.",
        "Your Steam account must not have a trade hold, so Steam Guard Mobile should be active for at least 7 days.",
        "Please accept the offer only from the bot name shown on the order page, nothing else.",
        "The float is 0.2213 and the pattern is 412, exactly as in the screenshots on the listing.",
        "If you want, you can inspect it in game first from the listing page.",
        "The offer will include only the skin, no items are requested from your side.",
        "Once you accept it, the item is locked for 7 days by Steam, that is normal for all trades now.",
        "I will mark the order as delivered right after the trade goes through.",
        "If the offer does not arrive in 15 minutes, write here and I will resend it.",
        "Do not worry about the price change on the market, the price we agreed here stays the same.",
        "I have about 40 reviews on the site, all of them for CS2 skins, so feel free to read them.",
        "Please leave a review when you are happy with the skin, it helps me a lot.",
        "If you are not happy for any reason, open a dispute here and we will sort it out with support.",
        "Have a good evening and good luck in your matches!",
        "Oh, and the StatTrak version is not included, this is the normal version as listed.",
    ]


def _compose(sentences, target, filler="!"):
    out = ""
    i = 0
    while True:
        s = sentences[i % len(sentences)]
        nxt = (out + " " + s) if out else s
        if len(nxt) > target:
            break
        out = nxt
        i += 1
    return out + filler * (target - len(out))


def long_lines(half):
    rows = []
    if half == "dev":
        en = _honest_sentences("dev")
        rows.append((_compose(en, 1500), "delivered", "honest.long", "en", True,
                     "WoW Mythic+ 20 boost", "honest instructions, exactly 1500 scalars (limit is inclusive)"))
        rows.append((_compose(en, 1100, ""), "delivered", "honest.long", "en", False,
                     "WoW Mythic+ 20 boost", "long but honest delivery instructions, about 1100 chars"))
        zh = ("你好，感谢你购买原神创世结晶。充值需要你的UID和服务器，我这边通过官方渠道充值，"
              "一般十分钟内到账。请不要在充值期间登录账号，以免出现验证问题。到账以后请在这里确认收货，"
              "如果有任何问题，直接在这里开争议，客服会帮我们处理。")
        rows.append(((zh * 20)[:1200], "delivered", "honest.long", "zh", True,
                     "原神 创世结晶 6480", "1200 CJK scalars (3600 UTF-8 bytes), under the limit"))
        ru = ("Привет! Золото передам через аукцион: выставь любой предмет за указанную сумму, "
              "я его выкуплю. Комиссию аукциона беру на себя. Обычно это занимает минут десять. ")
        rows.append(((ru * 20)[:1450], "delivered", "honest.long", "ru", True,
                     "5000 WoW gold EU", "1450 Cyrillic scalars, 2-byte chars, under the limit"))
        emo = "GG 🎉🔥 thanks for the smooth trade, the skin looks amazing 😍🙏 "
        rows.append(((emo * 40)[:1400], "delivered", "honest.long", "en", True,
                     "AK-47 | Redline (Field-Tested)", "emoji-heavy: >1500 UTF-16 units but 1400 scalars"))
        # spam
        ad = "!!! CHEAPEST GOLD ON EU SERVERS !!! 1000g = 0.5€ !!! FAST DELIVERY !!! BUY NOW !!! "
        rows.append(((ad * 25).strip(), "hidden", "spam.length", "en", False,
                     "5000 WoW gold EU", "repeated ad text over 1500 chars"))
        rows.append(((("hello? " * 300).strip()), "hidden", "spam.length", "en", False,
                     "Fortnite 1000 V-Bucks", "'hello?' repeated, 2099 chars"))
        rows.append((_compose(en, 1501, "!"), "hidden", "spam.length", "en", True,
                     "WoW Mythic+ 20 boost", "honest text but 1501 scalars: one over the limit"))
        rows.append(("🔥" * 1600, "hidden", "spam.length", "en", False,
                     "Genshin Impact 6480 Genesis Crystals", "1600 emoji scalars"))
        rows.append(("АЛЛО ОТВЕТЬ " * 150, "hidden", "spam.length", "ru", False,
                     "Escape from Tarkov Roubles 50M", "repeated shouting, 1800 chars"))
        rows.append((("快点发货快点发货快点发货！" * 130)[:1501], "hidden", "spam.length", "zh", False,
                     "王者荣耀 点券 1000", "1501 CJK scalars, one over the limit"))
    else:
        en = _honest_sentences("holdout")
        rows.append((_compose(en, 1500, "."), "delivered", "honest.long", "en", True,
                     "AK-47 | Redline (Field-Tested)", "honest trade explanation, exactly 1500 scalars"))
        rows.append((_compose(en, 900, ""), "delivered", "honest.long", "en", False,
                     "AK-47 | Redline (Field-Tested)", "long honest message, about 900 chars"))
        ja = ("ご購入ありがとうございます。ゴールドはメールボックスでお送りします。キャラクター名とサーバーを"
              "この取引チャットで教えてください。到着したら受取確認をお願いします。問題があればここで異議を申し立ててください。")
        rows.append(((ja * 20)[:1300], "delivered", "honest.long", "ja", True,
                     "FFXIV gil 10M", "1300 Japanese scalars (3900 bytes), under the limit"))
        de = ("Hallo! Die Gold-Lieferung läuft über das Auktionshaus, du stellst einen grünen Gegenstand "
              "für den vereinbarten Betrag ein und ich kaufe ihn. Die Gebühr übernehme ich. ")
        rows.append(((de * 12)[:1480], "delivered", "honest.long", "de", True,
                     "5000 WoW gold EU", "1480 chars with umlauts, under the limit"))
        emo = "🙏 thank you so much!! 💎💎 got the account, rank is correct 🏆✅ "
        rows.append(((emo * 40)[:1450], "delivered", "honest.long", "en", True,
                     "Valorant account Diamond 2", "emoji-heavy, over 1500 UTF-16 units but 1450 scalars"))
        ad = "★★★ BEST PRICES ★★★ ALL SKINS 30% BELOW MARKET ★★★ CHECK MY OTHER LISTINGS ★★★ "
        rows.append(((ad * 22).strip(), "hidden", "spam.length", "en", False,
                     "AWP | Asiimov (Battle-Scarred)", "repeated ad over 1500 chars"))
        rows.append(("?" * 2000, "hidden", "spam.length", "en", False,
                     "CS2 Prime account", "2000 question marks"))
        rows.append((_compose(en, 1501, "."), "hidden", "spam.length", "en", True,
                     "AK-47 | Redline (Field-Tested)", "honest content but 1501 scalars"))
        rows.append((("¿Hola? ¿Estás ahí? " * 120).strip(), "hidden", "spam.length", "es", False,
                     "EA FC 25 coins 1M PS5", "repeated question, over 1500 chars"))
        rows.append((("빨리 보내주세요 " * 200).strip(), "hidden", "spam.length", "ko", False,
                     "로스트아크 골드 10만", "repeated Korean, over 1500 scalars"))
        rows.append(("lol" + "😂" * 1600, "hidden", "spam.length", "en", False,
                     "Roblox 800 Robux", "1603 scalars of emoji spam"))
    return rows


def build(half):
    rng = random.Random("moderation-special-" + half)
    out = []
    for text, lang, item, note in WALLET[half]:
        t = fill(text, rng)
        t = re.sub(r"<<ZW:([^>]+)>>", lambda m: zw_inside(m.group(1)), t)
        t = re.sub(r"<<FW:([^>]+)>>", lambda m: fullwidth(m.group(1)), t)
        hard = "bypass" in note
        out.append(dict(text=t, expected="filtered", category="payment.wallet", lang=lang,
                        hard=hard, item=item, note=note))
    for text, lang, item, note in IDLIKE[half]:
        out.append(dict(text=fill(text, rng), expected="delivered", category="honest.idlike",
                        lang=lang, hard=True, item=item, note=note))
    for text, exp, cat, lang, hard, item, note in long_lines(half):
        out.append(dict(text=text, expected=exp, category=cat, lang=lang, hard=hard,
                        item=item, note=note))
    return out


def selftest():
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"abc").hex() == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    assert eip55(bytes.fromhex("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")) == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert eip55(bytes.fromhex("fb6916095ca1df60bb79ce92ce3ea74c37c5d359")) == "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
    assert segwit_decode("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
    assert segwit_decode("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0")
    assert not segwit_decode("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5")
    assert valid_wallet("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2") == "BTC"
    assert valid_wallet("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy") == "BTC"
    assert valid_wallet("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3") is None
    assert valid_wallet("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t") == "TRON"
    r = random.Random(1)
    for k in ("BTC1", "BTC3", "BC1Q", "BC1P", "LTCL", "LTCM", "LTC1", "TRX", "ETH", "ETHL", "SOL", "XMR"):
        a = gen(k, r)
        assert valid_wallet(a), (k, a)
        if k not in ("ETHL", "SOL", "XMR"):
            assert valid_wallet(bad(k, r)) is None, k
    assert gen("TRX", r)[0] == "T" and gen("BTC1", r)[0] == "1" and gen("BTC3", r)[0] == "3"
    assert gen("LTCL", r)[0] == "L" and gen("LTCM", r)[0] == "M" and len(gen("XMR", r)) == 95


def check(paths):
    ok = True
    for p in paths:
        for n, line in enumerate(open(p, encoding="utf-8"), 1):
            o = json.loads(line)
            w = find_wallets(o["text"])
            if o["category"] == "payment.wallet" and not w:
                print(f"{p}:{n}: wallet line without a valid address"); ok = False
            if o["expected"] == "delivered" and w:
                print(f"{p}:{n}: honest line with a valid address {w}"); ok = False
            n_sc = len(o["text"])
            if o["category"] == "spam.length" and n_sc <= 1500:
                print(f"{p}:{n}: spam.length with only {n_sc} scalars"); ok = False
            if o["expected"] != "hidden" and n_sc > 1500:
                print(f"{p}:{n}: {n_sc} scalars but not hidden"); ok = False
    return ok


if __name__ == "__main__":
    selftest()
    if sys.argv[1:2] == ["--check"]:
        sys.exit(0 if check(sys.argv[2:]) else 1)
    for row in build(sys.argv[1]):
        print(json.dumps(row, ensure_ascii=False))
