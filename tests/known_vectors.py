"""Known SMS PDUs (3GPP TS 23.040) with the values their sources state.

Each record: `id`, `source` (URL and file/test name), `pdu` (hex as printed),
`length` (the modem's `<length>` when the capture has one, else None), `note`
(where the expected values come from), then the expected fields:

    type            "deliver" | "status_report" | "submit" | "error"
    smsc            SMSC number, None when absent
    address         originator / destination / recipient number
    address_suffix  the address must end with this (malformed addresses)
    ton             TON of that address
    alphanumeric    bool, for that address
    pid, dcs, alphabet, message_class
    timestamp       ISO 8601 with offset (TP-SCTS); discharge_time (TP-DT)
    text            exact decoded text
    user_data       hex of the user data after the header
    udh             None (no header), or a tuple of (iei, data hex)
    concat          (reference, total, sequence, bits)
    ports           (destination, source)
    locking_shift, single_shift
    more_messages, status_report_indication, status_report_request
    message_reference, status, outcome, validity (seconds)

"Hand-decoded" means decoded octet by octet from TS 23.040 / TS 23.038;
every other value is the source's own expected output or assertion.
"""

from __future__ import annotations

GAMMU = "https://github.com/gammu/gammu/blob/master/tests/at-sms/"
GAMMU_FAIL = "https://github.com/gammu/gammu/blob/master/tests/at-sms-failing/"
MM = ("https://github.com/linux-mobile-broadband/ModemManager/blob/main/"
      "src/tests/test-sms-part-3gpp.c")
OFONO = "https://github.com/sailfishos-native/ofono-mirror/blob/master/unit/test-sms.c"
GSMMODEM = "https://github.com/faucamp/python-gsmmodem/blob/master/test/test_pdu.py"
MESSAGING = ("https://github.com/pmarti/python-messaging/blob/master/"
             "messaging/test/test_sms.py")

HAND = "hand-decoded (TS 23.040 §9.2.2, TS 23.038)"
GAMMU_NOTE = ("gammu only checks that this dump parses; field values " + HAND)

WEEKS_63 = 63 * 7 * 86400   # TP-VP 0xFF, §9.2.3.12.1


def _v(id: str, source: str, pdu: str, length: int | None, note: str, **expect) -> dict:
    return {"id": id, "source": source, "pdu": pdu, "length": length, "note": note, **expect}


DELIVER = [
    _v("ofono-simple-deliver", OFONO + " (simple_deliver, test_simple_deliver)",
       "07911326040000F0040B911346610089F60000208062917314480CC8F71D14969741F977FD07", 30,
       "ofono asserts SC, OA, SCTS fields (timezone -4 quarters) and text",
       type="deliver", smsc="+31624000000", address="+31641600986", ton=1, pid=0, dcs=0,
       alphabet="gsm7", timestamp="2002-08-26T19:37:41-01:00", text="How are you?", udh=None),
    _v("mm-pdu1", MM + " (test_pdu1)",
       "07912104442961F4040B916171957291F800001120821105050A"
       "6AC8B2BC7C9A83C220F6DB7D2ECB41EDF27C1E3E97411BDE06754FD3D1A0F9BB5D0695F1F4B29B5C2683C6E8"
       "B03C3CA697E5F34D6AE303D1D1F2F7DD0D4ABB59A0797D8C0685E7A00028EC26832A960B28EC2683BE605078"
       "0EBA97D96C17", None,
       "ModemManager's expected smsc, number, timestamp and text (extension table characters)",
       type="deliver", smsc="+12404492164", address="+16175927198",
       timestamp="2011-02-28T11:50:50-05:00",
       text="Here's a longer message [{with some extended characters}] thrown in, "
            "such as £ and ΩΠΨ and §¿ as well."),
    _v("mm-pdu3", MM + " (test_pdu3)",
       "07912143658709F1040B918100551512F20000111010214365000AE8329BFD4697D9EC37", None,
       "ModemManager's expected values; TP-MMS set (no more messages) " + HAND,
       type="deliver", smsc="+12345678901", address="+18005551212",
       timestamp="2011-01-01T12:34:56+00:00", text="hellohello", more_messages=False),
    _v("mm-pdu3-nonzero-pid", MM + " (test_pdu3_nzpid)",
       "07912143658709F1040B918100551512F2FF00111010214365000AE8329BFD4697D9EC37", None,
       "ModemManager: TP-PID 0xFF must not stop decoding",
       type="deliver", address="+18005551212", pid=0xFF, text="hellohello"),
    _v("mm-pdu3-mms", MM + " (test_pdu3_mms)",
       "07912143658709F1000B918100551512F20000111010214365000AE8329BFD4697D9EC37", None,
       "ModemManager's expected text; first octet 0x00 = TP-MMS clear, i.e. more messages "
       "waiting (§9.2.3.2)",
       type="deliver", address="+18005551212", text="hellohello", more_messages=True),
    _v("mm-pdu3-natl", MM + " (test_pdu3_natl)",
       "07912143658709F1040B818100551512F20000111010214365000AE8329BFD4697D9EC37", None,
       "ModemManager: type of address 0x81 gives the number without '+'",
       type="deliver", address="18005551212", ton=0, text="hellohello"),
    _v("gammu-03", GAMMU + "03.dump",
       "0791198948004544040C9119894882006200007050307040042206CF35689E9603", 25,
       GAMMU_NOTE + "; TZ octet 0x22 = +22 quarters",
       type="deliver", smsc="+919884005444", address="+919884280026",
       timestamp="2007-05-03T07:04:40+05:30", text="Ok sir"),
    _v("gammu-07", GAMMU + "07.dump (+CMGR: 0,23 without <alpha>)",
       "0791534850020200040C9153486507895500006090608164138004D4F29C0E", 23, GAMMU_NOTE,
       type="deliver", smsc="+358405202000", address="+358456709855",
       timestamp="2006-09-06T18:46:31+02:00", text="Test"),
    _v("gammu-10", GAMMU + "10.dump (<length> 23 for a 29-octet TPDU)",
       "07912374151616F6040B912374786468F30000201003024550400B54C29E2E1F8300A0800B", 23,
       GAMMU_NOTE,
       type="deliver", smsc="+32475161616", address="+32478746863",
       timestamp="2002-01-30T20:54:05+01:00", text="Tèätrc @ £."),
    _v("gammu-21", GAMMU + "21.dump (<length> 78 for a 20-octet TPDU)",
       "0791836027201111040C918390276576880000701192908285800133", 78, GAMMU_NOTE,
       type="deliver", smsc="+380672021111", address="+380972566788",
       timestamp="2007-11-29T09:28:58+02:00", text="3"),
    _v("gammu-23", GAMMU + "23.dump (TP-UDL 0, <length> 78 for 19 octets)",
       "0791449737019037040C9144970710112800008010101041240000", 78, GAMMU_NOTE,
       type="deliver", address="+447970011182", timestamp="2008-01-01T01:14:42+00:00",
       text="", udh=None),
    _v("gammu-27", GAMMU + "27.dump (+CMGR: 4,1,,151 for a 134-octet TPDU)",
       "0791539126010000240C9153915658733100008021626104720083C539BC2C7F83E2F532885E76A3C373"
       "103D4D7E83EA6D90334C0FB341E536E82C0FBBC965D0185D4EBF41E43268FC4ECFC37390F81D9E837429"
       "5019143EBFE56150BC5E06D5DB20F7DBFE0685DD6FD0BC0C0AC3E56F7CBA5D6691CBF3B2FADDA297416F"
       "50B3C8443EA5206139AD4EBBD16F1008", 151, GAMMU_NOTE + "; TP-SRI set",
       type="deliver", address="+351965853713", timestamp="2008-12-26T16:40:27+00:00",
       status_report_indication=True,
       text="Espero que tenhas tido um Natal em grande cheio de coisas boas :) e agora que um "
            "novo ano se aproxime,desejo-te o MELHOR Beijinho  "),
    _v("gammu-37", GAMMU + "37.dump (<length> 29 for a 144-octet TPDU)",
       "0791448720003023040C914477238442230000010180029182408EC832BBEC3ECD41F0B0BCECA6CF4161"
       "7919447EDFDD20FABBFD96CBDF7717C8F9A683E6757919744787E9A07B1914969741753888FE06BDDDA0"
       "79DD4D0EE75DA06B9ACD06B1CB74501DB476BFEF2E50505E06E5DF75D0991D2683F2EF3AA89D9ECFCB64"
       "105946FE81AEE5301D5D9683D8EFF7BA4C06C1CB7273794C0F01", 29, GAMMU_NOTE,
       type="deliver", smsc="+447802000332", address="+447732482432",
       timestamp="2010-10-08T20:19:28+01:00",
       text="Helen's parents are down tomorrow. Not sure what we are up to on sunday. Will let u "
            "know. Are you glad you missed d2d? Weather looked perfect!"),
    _v("gammu-39", GAMMU + "39.dump (+CMGR: ,,92; 30 junk octets after TP-UD)",
       "07914336120011F10404A14949000021807001253040356C76B81D268741F0B29C9C268741E4B20EB49A"
       "D16CB19BAD368BD96EA0B71B04BBBD603810284C078162315D2CE70289EBFAE1AC0CB2BFF52C10FC2D07"
       "99C3F6B71CC46687DB6550980D8AC962", 92,
       GAMMU_NOTE + "; TP-UDL is 53 septets (47 octets), the rest must be ignored",
       type="deliver", smsc="+34632100111", address="9494", ton=2,
       timestamp="2012-08-07T10:52:03+01:00",
       text="llamada perdida de: +34617653167 on 07/08  at  11:19."),
    _v("gammu-42", GAMMU + "42.dump (TP-DCS 0xFB)",
       "06914977000030200B914977745010F700FB918050809053221DB15CEC868BC9663018080402816432DD"
       "0C060281A4412A159904", 45,
       GAMMU_NOTE + "; DCS 0xFB: group 1111, bit 2 clear = default alphabet (TS 23.038 §4), "
       "class 3; TZ 0x22 = +22 quarters",
       type="deliver", smsc="+9477000003", address="+94774705017", message_class=3,
       dcs=0xFB, alphabet="gsm7", timestamp="2019-08-05T08:09:35+05:30",
       text="1917812300     22:30   RATTHI"),
    _v("gsmmodem-test2", GSMMODEM + " (TestSmsPdu.test_decode, 1st)",
       "06917228195339040B917228214365F700003130805120618005D4F29C2E03", None,
       "python-gsmmodem's expected smsc, number, time (+2 h) and text",
       type="deliver", smsc="+2782913593", address="+27821234567", pid=0,
       timestamp="2013-03-08T15:02:16+02:00", text="Test2"),
    _v("gsmmodem-easy", GSMMODEM + " (TestSmsPdu.test_decode, 2nd)",
       "07915892000000F0040B915892214365F700007040213252242331493A283D0795C3F33C88FE06C9CB61"
       "32885EC6D341EDF27C1E3E97E7207B3A0C0A5241E377BB1D7693E72E", None,
       "python-gsmmodem's expected values (+8 h)",
       type="deliver", smsc="+85290000000", address="+85291234567",
       timestamp="2007-04-12T23:25:42+08:00",
       text="It is easy to read text messages via AT commands."),
    _v("gsmmodem-escape", GSMMODEM + " (TestSmsPdu.test_decode, 3rd)",
       "06917228195339040B917228214365F70000313062315352800A800D8A5E98D337A910", None,
       "python-gsmmodem's expected number and text; timestamp " + HAND,
       type="deliver", address="+27821234567", timestamp="2013-03-26T13:35:25+02:00",
       text="@{tést}!"),
    _v("messaging-gmt-plus-one", MESSAGING + " (test_decoding_datetime_gmtplusone)",
       "0791447758100650040C914497716247010000909010711423400A2050EC468B81C4733A", None,
       "python-messaging expects text '  1741 bst' and 16:41:32 UTC; SCTS is 17:41:32 at +1 h",
       type="deliver", address="+447917267410", timestamp="2009-09-01T17:41:32+01:00",
       text="  1741 bst"),
    _v("gsmmodem-issue44-cmgr", "https://github.com/faucamp/python-gsmmodem/issues/44 "
       "(+CMGR: 0,,29 in the log)",
       "0791198904100161240C911979099137640000511090718303220BC8B4421174CFD175D014", 29, HAND,
       type="deliver", smsc="+919840011016", address="+919790197346",
       timestamp="2015-01-09T17:38:30+05:30", text="Hi\n\nAnshu S",
       status_report_indication=True),
]

UCS2 = [
    _v("mm-pdu2-internetsms", MM + " (test_pdu2)",
       "07919730071111F10414D04937BD2C7797E9D3E614000811309291024061080442043504410442", None,
       "ModemManager's expected values; 20-semi-octet alphanumeric originator",
       type="deliver", smsc="+79037011111", address="InternetSMS", alphanumeric=True,
       alphabet="ucs2", timestamp="2011-03-29T19:20:04+04:00", text="тест"),
    _v("messaging-ucs2", MESSAGING + " (test_decoding_ucs2_pdu)",
       "07914306073011F0040B914316709807F2000880604290224080084E2D5174901A8BAF", None,
       "python-messaging's expected text, csca and number; timestamp " + HAND,
       type="deliver", smsc="+34607003110", address="+34610789702", alphabet="ucs2",
       timestamp="2008-06-24T09:22:04+02:00", text="中兴通讯"),
    _v("chan-dongle-17-yandex", "https://github.com/bg111/asterisk-chan-dongle/issues/17 "
       "(single-line copy in /issues/223)",
       "07919730071111F10414D0D9B09B5CC637DFEE721E0008117020616444617E041A043E04340020043F04"
       "3E04340442043204350440043604340435043D0438044F003A00200036003900320037002E0020041D04"
       "38043A043E043C04430020043D043500200441043E043E04310449043004390442043500" "2C00200432"
       "0432043504340438044204350020043D0430002004410430043904420435002E", 149,
       HAND + "; chan_dongle failed on the 20-semi-octet (11-septet) alphanumeric OA",
       type="deliver", smsc="+79037011111", address="YandexMoney", alphanumeric=True,
       alphabet="ucs2", timestamp="2011-07-02T16:46:44+04:00",
       text="Код подтверждения: 6927. Никому не сообщайте, введите на сайте."),
    _v("ofono-unicode-deliver", OFONO + " (unicode_deliver, test_deliver_encode)",
       "04819999990414D0FBFD7EBFDFEFF77BFE1E0019512090801361807E00DC00FC00C400E400D600F600C5"
       "00E500D800F800C600E600C700E700C900E900CA00EA00DF00310032003300340035003600370038003900"
       "30002000540068006900730020006D006500730073006100670065002000690073002000360033002000"
       "75006E00690063006F00640065002000630068006100720073002E", 149,
       "ofono decodes it with TPDU length 149; values " + HAND + " (DCS 0x19 = UCS-2 class 1)",
       type="deliver", smsc="999999", address="äääääääääöä", alphanumeric=True,
       alphabet="ucs2", message_class=1, timestamp="2015-02-09T08:31:16+02:00",
       text="ÜüÄäÖöÅåØøÆæÇçÉéÊêß1234567890 This message is 63 unicode chars."),
]

EIGHT_BIT = [
    _v("mm-pdu3-8bit", MM + " (test_pdu3_8bit)",
       "07912143658709F1040B918100551512F20004111010214365000AE8329BFD4697D9EC37DE", None,
       "ModemManager's expected data octets",
       type="deliver", address="+18005551212", alphabet="8bit",
       user_data="E8329BFD4697D9EC37DE"),
    _v("mm-dcsf-8bit", MM + " (test_pdu_dcsf_8bit)",
       "07912143658709F1040B918100551512F200F4111010214365000AE8329BFD4697D9EC37DE", None,
       "ModemManager's expected data; DCS 0xF4 = 8-bit class 0 (TS 23.038 §4)",
       type="deliver", address="+18005551212", dcs=0xF4, alphabet="8bit", message_class=0,
       user_data="E8329BFD4697D9EC37DE"),
    _v("gammu-26-ems-picture", GAMMU + "26.dump (+CMGR: 4,1,,151)",
       "0791539111161616640C9153916161755000F54020310164450084831281000615FFFFE7F6E003E193CC"
       "0B0000E793D1460000E193D2A00000E793D1400000E1C7D0900000FFFFD2A00000F88FD1400000F047E8"
       "806003F007F700D3E6F82C79D06413FC5C7EE809C8FE3FFF7012E4FFFFFFA823E2E0867FB021C2F99E7F"
       "A8208289867FB42082899FFF9A2492F9867FDD13E4FFFFFFEE8808FFFFFFED4808", 151,
       GAMMU_NOTE + "; one 129-octet IE 0x12 (EMS variable picture) fills the UD",
       type="deliver", address="+351916165705", alphabet="8bit", message_class=1,
       timestamp="2004-02-13T10:46:54+00:00", status_report_indication=True,
       udh_first=(0x12, 129), user_data=""),
]

ALPHANUMERIC = [
    _v("ofono-alnum-sipgate", OFONO + " (alnum_sender, test_alnum_sender)",
       "0791447758100650040DD0F334FC1CA6970100008080312170224008D4F29CDE0EA7D9", 27,
       "ofono's assertions; 13 semi-octets = 7 septets, not 'sipgate@'",
       type="deliver", smsc="+447785016005", address="sipgate", alphanumeric=True, ton=5,
       timestamp="2008-08-13T12:07:22+01:00", text="Testmail"),
    _v("node-sms-pdu-diafaan", "https://github.com/futomi/node-sms-pdu/issues/1",
       "0791448720003023240DD0E474D81C0EBB010000111011315214000BE474D81C0EBB5DE3771B", None,
       "the reporter states origination 'diafaan', text 'diafaan.com', smsc and timestamp",
       type="deliver", smsc="+447802000332", address="diafaan", alphanumeric=True,
       timestamp="2011-01-11T13:25:41+00:00", text="diafaan.com"),
    _v("messaging-fonic", MESSAGING + " (test_decoding_number_alphanumeric, odd length)",
       "07919471060040340409D0C6A733390400009060920173018093CC74595C96838C4F6772085AD6DDE432"
       "0B444E9741D4B03C6D7EC3E9E9B71B9474D3CB727799DEA286CFE5B9991DA6CBC3F432E85E9793CBA0F0"
       "9A9EB6A7CB72BA0B9474D3CB727799DE72D6E9FABAFB0CBAA7E56490BA4CD7D34170F91BE4ACD3F575F7"
       "794E0F9F4161F1B92C2F8FD1EE32DD054AA2E520E3D3991C82A8E5701B", None,
       "python-messaging's expected number, csca and text",
       type="deliver", smsc="+491760000443", address="FONIC", alphanumeric=True,
       text="Lieber FONIC Kunde, die Tarifoption Internet-Tagesflatrate wurde aktiviert. "
            "Internet-Nutzung wird jetzt pro Nutzungstag abgerechnet. Ihr FONIC Team"),
    _v("messaging-tim", MESSAGING + " (test_decoding_number_alphanumeric, even length)",
       "07919333852804000412D0F7FBDD454FB75D693A0000903002801153402BCD301E9F0605D9E971191483"
       "C140412A35690D52832063D2F9040599A058EE05A3BD6430580E", None,
       "python-messaging's expected number, csca and text",
       type="deliver", smsc="+393358824000", address="www.tim.it", alphanumeric=True,
       text="Maxxi Alice 100 ATTIVATA FINO AL 19/04/2009"),
    _v("chan-dongle-91-hoster", "https://github.com/bg111/asterisk-chan-dongle/issues/91",
       "07919720990610F00410D0C8E7945A94BAA4550000218051710140235550E953C82C3641C51828EDA697"
       "E5E6F0B83C0705E7F4B23C3D5FB784E5323BED2E83623057CC1573D1404369929A1C0699A06B990C0AD6"
       "CFA0580D149BE960395D0D066A4E9720192C2603", None,
       "the reporter states the sender 'HOSTER.RU'; text and timestamp " + HAND
       + " (13:09:50 MSK in the text = 17:10:04 at +8 h, 14 s later)",
       type="deliver", smsc="+79029960010", address="HOSTER.RU", alphanumeric=True,
       timestamp="2012-08-15T17:10:04+08:00",
       text="PROBLEM E1 interfaces Asterisk-Beeline 10.1.1.4 CRITICAL Wed Aug 15 13:09:50 MSK 2012"),
    _v("chan-dongle-87-autoload", "https://github.com/bg111/asterisk-chan-dongle/issues/87 "
       "(first message)",
       "07913619070010730414D0C13AFDCD7C87C9CD201600002170202284432374D0180CE682C1407079191E"
       "4E93416379999CA6CF41F7F01CC47E87C9653288FE06D5E5A0F65B9C66974720580E66A3E56EB55B2D06"
       "12E741B01CCC46B3E56E38DACD05A2CAC3E332C8F9D68164B61A6C06CBC96620D8ED0593BD64B0980C14"
       "83E96A3068D305", 125,
       HAND + "; chan_dongle could not parse the 20-semi-octet alphanumeric OA",
       type="deliver", smsc="+639170000137", address="AutoLoadMAX", alphanumeric=True,
       timestamp="2012-07-02T22:48:34+08:00",
       text="P100.00 prepaid credits was loaded to ur mobile# 09064975751 by 09064697847. "
            "Trace No: 265030923 07/02/2012 10:50PM."),
    _v("wdoekes-9-toa-d1", "https://github.com/wdoekes/asterisk-chan-dongle/issues/9 "
       "(dongle0, +CMGR: 0,,47)",
       "07913396050066F1240ED1D365D1397542890000619003815474801ED7309B5E968388EFF2BA3C07A5E7"
       "A030E82C2F87E9A0733D0F0A01", 47,
       HAND + "; type of address 0xD1 (alphanumeric, NPI 1); the reporter altered the sender "
       "for privacy, so the name is what the posted octets decode to",
       type="deliver", smsc="+33695000661", address="SKENSNPD", alphanumeric=True,
       timestamp="2016-09-30T18:45:47+02:00", text="Walter Doekes is a great guy !"),
    _v("gammu-04-short-alnum", GAMMU + "04.dump (a stray '\"' follows the PDU line)",
       "07914487200030230406D04F59040000601191806243009F4F990E947DD741EEF71D840EDBCBA0FCBB2E"
       "0751CB783A28E8CED3D3ED3268068381AA4B10BD8CA7CF412650AC2904BDCD2072981E06D1DFA0FABC0C"
       "A2A3D373509B8E7681A4E576B92D2ECB41F43788FE86B7EA7010280603BDE5A0F65B5E0689CBE6B7BC0C"
       "8ADD6232980D447F83CE653A28FFAECB416679B90C0AB3D9EF7BD83D2E83DC653C1DD4A6A301", 156,
       GAMMU_NOTE + "; 6 semi-octets = floor(6*4/7) = 3 septets (§9.1.2.5)",
       type="deliver", smsc="+447802000332", address="O2_", alphanumeric=True,
       timestamp="2006-11-19T08:26:34+00:00",
       text="O2: You now have your Text Anytime 300 UK texts & 1MB of data to use this mth. "
            "Remember to top-up  10 or more before 171206 to get your free allowance next mth"),
]

CONCAT = [
    _v("mm-udhi-16bit", MM + " (test_pdu_udhi, KPN welcome message)",
       "07911356131313F64004850120390011609232239180A006080400100201D7327BFD6EB340E2321BF46E"
       "83EA7790F59D1E97DBE1341B442F83C465763D3DA797E56537C81D0ECB41AB59CC1693C16031D96C0642"
       "41E5656838AF03A96230982A269BCD462917C8FA4E8FCBED709A0D7ABBE9F6B0FB5C7683D27350984D4F"
       "ABC9A0B33C4C4FCF5D20EBFB2D079DCB62793DBD06D9C36E50FB2D4E97D9A0B49B5E96BBCB", None,
       "ModemManager's expected values; 7-octet UDH, no fill bits, first character 'W'",
       type="deliver", smsc="+31653131316", address="1002", pid=0x39,
       timestamp="2011-06-29T23:32:19+02:00", concat=(0x0010, 2, 1, 16),
       text="Welkom, bel om uw Voicemail te beluisteren naar +31612001233 (PrePay: *100*1233#)."
            " Voicemail ontvangen is altijd gratis. Voor gebruik van mobiel interne"),
    _v("mm-multipart-1", MM + " (test_pdu_multipart, hexpdu1)",
       "07912160130320F5440B916171056429F5000021405291650569A00500034C0201A9E8F41C949E83C220"
       "7B599E07B1DFEE33885E9ED341E4F23C7D7697C920FA1B54C697E5E3F4BC0C6AD7D9F434081E96D341E3"
       "303C2C4EB3D3F4BC0B94A483E6E8779D4D06CDD1EF3BA80E0785E7A0B7BB0C6A97E7F3F0B9CC02B9DF74"
       "50780EA2DFDF2C50780EA2A3CBA0BA9B5C96B3F369F71954768FDFE4B4FB0C9297E1F2F2BCECA6CF41",
       None, "ModemManager's expected values; concat IE " + HAND,
       type="deliver", smsc="+12063130025", address="+16175046925",
       timestamp="2012-04-25T19:56:50-04:00", concat=(0x4C, 2, 1, 8),
       text="This is a very long test designed to exercise multi part capability. It should "
            "show up as one message, not as two, as the underlying encoding represents "),
    _v("mm-multipart-2", MM + " (test_pdu_multipart, hexpdu2)",
       "07912160130320F6440B916171056429F5000021405291651569320500034C0202E9E8301D44479741F0"
       "B09C3E0785E56590BCCC0ED3CB6410FD0D7ABBCBA0B0FB4D4797E52E10", None,
       "ModemManager's expected values; concat IE " + HAND,
       type="deliver", smsc="+12063130026", address="+16175046925",
       timestamp="2012-04-25T19:56:51-04:00", concat=(0x4C, 2, 2, 8),
       text="that the parts are related to one another. "),
    _v("gammu-22", GAMMU + "22.dump (<length> 78 for a 159-octet TPDU)",
       "0791246020099990400C91247042972767000070107031107440A005000301020182E8B71A040FDBD965"
       "16881E5E83DA65907D5C968741EEF49AFC06B9CBEFB53C4C66B34061771AE42EEBDDE1799AED4EB34161"
       "D0BA0E7F93D3F63A483D2FB74161771AE42ED7E7EE3A3BCC0285C720FABB5D07B5DF6390BB3C1FA3C3FA"
       "32FBAD4BB940D43219342F83C6E8FC9C1E6E83E0F2F0F86D0FD3416150FBAD77874169903B0CA2BF41",
       78, GAMMU_NOTE + "; 6-octet UDH, 1 fill bit",
       type="deliver", address="+420724797276", timestamp="2007-01-07T13:01:47+01:00",
       concat=(1, 2, 1, 8),
       text="Ahoj pavle, tak me vcera nikdo neokradl, ani neznasilnil a kupodivu jsem ani "
            "neusnula, ac tomu moc neschazelo:). Ted se chystam pracovat a mozna i na to "),
    _v("messaging-german-1", MESSAGING + " (test_decode_weird_multipart_german_pdu, 1st)",
       "07919471227210244405852122F039F101506271217180A005000319020198E9B2B82C0759DFE4B0F9ED"
       "2EB7967537B9CC02B5D37450122D2FCB41EE303DFD7687D96537881A96A7CD6F383DFD7683F46134BBEC"
       "064DD36550DA0D22A7CBF3721BE42CD3F5A0198B56036DCA20B8FC0D6A0A4170767D0EAAE540433A082E"
       "7F83A6E5F93CFD76BB40D7B2DB0D9AA6CB2072BA3C2F83926EF31BE44E8FD17450BB8C9683CA", None,
       "python-messaging's expected text and concat (ref 25, 2 parts); PID 0x39 " + HAND,
       type="deliver", pid=0x39, message_class=1, concat=(25, 2, 1, 8),
       text="Lieber Vodafone-Kunde, mit Ihrer nationalen Tarifoption zahlen Sie in diesem Netz "
            "3,45 € pro MB plus 59 Ct pro Session. Wenn Sie diese Info nicht mehr e"),
    _v("messaging-german-2", MESSAGING + " (test_decode_weird_multipart_german_pdu, 2nd)",
       "07919471227210244405852122F039F1015062712181804F050003190202E4E8309B5E7683DAFC319A5E"
       "76B340F73D9A5D7683A6E93268FD9ED3CB6EF67B0E5AD172B19B2C2693C9602E90355D6683A6F0B00794"
       "6E8382F5393BEC26BB00", None,
       "python-messaging's expected text and concat",
       type="deliver", concat=(25, 2, 2, 8),
       text="rhalten möchten, wählen Sie kostenlos +4917212220. Viel Spaß im Ausland."),
    _v("wdoekes-41-beeline", "https://github.com/wdoekes/asterisk-chan-dongle/issues/41 "
       "(first PDU, +CMGR: 0,,159)",
       "07919730071111F1440DD0C272999D7697010019718012214462218B06080463D005010421043F043004"
       "4104380431043E002C002004470442043E00200432044B043104400430043B0438002004110438043B04"
       "300439043D002100200423002004320430044100200442043004400438044400200022041D043E043B04"
       "4C00200441043E043C043D0435043D0438043900220020043104350437002004300431043E043D0435",
       159,
       HAND + "; 'Beeline' is 13 semi-octets = 7 septets (not 'Beeline@'); DCS 0x19 "
       "(UCS-2 class 1) was rejected as reserved by chan_dongle",
       type="deliver", smsc="+79037011111", address="Beeline", alphanumeric=True,
       dcs=0x19, alphabet="ucs2", message_class=1, timestamp="2017-08-21T12:44:26+03:00",
       concat=(0x63D0, 5, 1, 16),
       text='Спасибо, что выбрали Билайн! У вас тариф "Ноль сомнений" без абоне'),
    _v("ofono-assembly-1", OFONO + " (assembly_pdu1, test_assembly)",
       "038121F340048155550119906041001222048C0500"  # ofono's string pieces, verbatim
       "031E0301041804420430043A002C002004100"
       "43B0435043A04410430043D04340440002000"
       "200441043B044304480430043B00200437043"
       "000200434043204350440044C044E00200020"
       "04380020002004320441043500200431043E0"
       "43B044C044804350020043F04400435043804"
       "41043F043E043B043D044F043B0441044F002"
       "000200433043D0435",
       155, "ofono decodes it with TPDU length 155; values " + HAND,
       type="deliver", smsc="123", address="5555", pid=1, alphabet="ucs2",
       timestamp="2009-06-14T00:21:22+10:00", concat=(30, 3, 1, 8),
       text="Итак, Александр  слушал за дверью  и  все больше преисполнялся  гне"),
    _v("gsmmodem-concat-c3", GSMMODEM + " (TestSmsPdu.test_decode, 6th)",
       "0591721891F1400781721881F800003160526104848059050003C30101916536FB1DCABEEB2074D85E06"
       "4941B19CAB060319A5C522289C96D3D3ED32286C0FA7D96131BBEC024941B19CAB0603DDD36C36A88C87"
       "A7E565D0DB0D82C55EB0DB4B068BCD5C20", None,
       "python-gsmmodem's expected number, smsc, text and concat IE",
       type="deliver", smsc="+2781191", address="2781188", concat=(0xC3, 1, 1, 8),
       udh=((0x00, "C30101"),),
       text="Hello!You have R 19.50 FREE airtime available. R 19.50 will expire on 01/07/2013. "),
]

PORTS = [
    _v("gammu-33-wap-dcs06", GAMMU + "33.dump (<length> 29 for a 125-octet TPDU)",
       "07913307005630F0440BA13307570230F00006017010900412806A0605040B8423F0040603BEAF848C8298"
       "31323737393730303539008D92891980160433333730373532303033302F545950453D504C4D4E009679"
       "424F008A808E0122880481020BB883687474703A2F2F6D6D73632E6C61626D6374656C2E66723A393039"
       "302F6D333300", 29,
       GAMMU_NOTE + "; DCS 0x06 = general group, 8-bit, class bits not meaningful",
       type="deliver", address="33707520030", ton=2, dcs=0x06, alphabet="8bit",
       message_class=None, timestamp="2010-07-01T09:40:21+02:00", ports=(2948, 9200)),
    _v("gammu-40-wap", GAMMU + "40.dump",
       "07912374151616F6440B911174164210F000F571309290346280860605040B8423F04F06226170706C69"
       "636174696F6E2F766E642E7761702E6D6D732D6D65737361676500AF848C82983831343630343934406D"
       "6D7331008D928918802B33333333333439333231312F545950453D504C4D4E0096008F8186818A808E03"
       "017A598805810303F48083687474703A2F2F6D74732F3F69643D383134363034393400", 153,
       GAMMU_NOTE,
       type="deliver", address="+11476124010", alphabet="8bit", message_class=1,
       timestamp="2017-03-29T09:43:26+02:00", ports=(2948, 9200)),
    _v("ofono-wap-push", OFONO + " (wap_push_1, test_wap_push)",
       "0791947122725014440185F039F501801140311480720605040B8423F00106246170706C69636174696F"
       "6E2F766E642E7761702E6D6D732D6D65737361676500AF84B4868C82984F67514B4B42008D9089088045"
       "726F74696B009650696E2D557073008A808E0240008805810303F48083687474703A2F2F657073332E64"
       "652F4F2F5A39495A4F00", 128,
       "ofono asserts 8-bit data and destination port 2948 (16-bit ports); source port " + HAND,
       type="deliver", alphabet="8bit", pid=0x39, ports=(2948, 9200)),
]

DCS_ODDITIES = [
    _v("wdoekes-28-class0", "https://github.com/wdoekes/asterisk-chan-dongle/issues/28 "
       "(Huawei K3765, '#015#012' line end removed)",
       "07919333851805320409D034186C360300F0713040214084408849A7F1099A36A72018ED059BB1403199"
       "0E46D38186EF39FD0D1AA3D3E176981E06155D20182B177381926CD0585E26A7E96F1001547481683996"
       "0CE70241CB7250DA6D7E83E67550D95E76D3EB61761AF486EBD36F771A14A6D3D3F632A80C12BFDDF539"
       "485E9EA7C9F534688C4E87DB61100D968BD95C", 137,
       HAND + "; DCS 0xF0 = default alphabet, class 0 (flash), which chan_dongle rejected",
       type="deliver", smsc="+393358815023", address="40033", alphanumeric=True, dcs=0xF0,
       alphabet="gsm7", message_class=0, timestamp="2017-03-04T12:04:48+01:00",
       text="INFO SMS 04/03, 12:04: Costo chiamata E. 0,91. Il credito è E. 49,28. Per info su "
            "eventuali opzioni attive e bonus residui chiama 40916."),
    _v("mm-dcsf1", MM + " (test_pdu_dcsf1)",
       "07913306091093F0040485810000F111604231805180A049B7F90D9A1AA5A01668F8769BD3E4B29B9E2E"
       "B359A03FC85D06A9C3ED707A0EA2CBC3EE79BB4CA7CBCBA05643617DA7C76990FD4D979741EE77DD5E0E"
       "D741ED371D442E83E0E1F9BC0CD281E677D9B84C06C1DF7539E85C9097E520FB9B2E2F83C6EF369C5E06"
       "4D8D52D0BC2E07DDEF77D7DC2C7799E5A0771D040FCB41F402BB0047BFDD6550B80ECAD966", None,
       "ModemManager's expected values; DCS 0xF1 = default alphabet, class 1",
       type="deliver", smsc="+33609001390", address="1800", dcs=0xF1, alphabet="gsm7",
       message_class=1, timestamp="2011-06-24T13:08:15+02:00",
       text="Info SFR - Confidentiel, à ne jamais transmettre -\r\nVoici votre nouveau mot de "
            "passe : sw2ced pour gérer votre compte SFR sur www.sfr.fr ou par téléphone au 963"),
    _v("ofono-mwi-c8", OFONO + " (simple_mwi, test_simple_mwi)",
       "07913366002020F8040B913366600600F100C83180706174148000", 19,
       "ofono's assertions (DCS 200, UDL 0, timezone +8 quarters)",
       type="deliver", smsc="+33660002028", address="+33660660001", pid=0, dcs=0xC8,
       timestamp="2013-08-07T16:47:41+02:00", text=""),
    _v("messaging-class0-submit", MESSAGING + " (test_encoding_class, expected_0)",
       "0001000B914356143254F6001006E8721E947F03", None,
       "python-messaging's encoder output for 'hey yo' with class 0: DCS 0x10",
       type="submit", smsc=None, address="+34654123456", dcs=0x10, alphabet="gsm7",
       message_class=0, text="hey yo", validity=None),
    _v("gammu-29-dcs11", GAMMU + "29.dump (<length> 23 for a 28-octet TPDU)",
       "07913316968186F511000A8160036561150011FF11EDB71B442FE3E96510F9549ECFC369", 23,
       GAMMU_NOTE + "; DCS 0x11 = default alphabet, class 1",
       type="submit", smsc="+33616918685", address="0630561651", ton=0, dcs=0x11,
       alphabet="gsm7", message_class=1, validity=WEEKS_63, text="mon texte d'essai"),
]

# ofono's charset tests pass the national language out of band. These records carry
# ofono's user data unchanged (same septets) in an SMS-SUBMIT whose UDH selects the
# language with IEI 0x25 (locking) / 0x24 (single shift), TS 23.040 §9.2.3.24.15-16.
NATIONAL = [
    _v("ofono-turkish-locking-single", OFONO + " (sms_charset_turkey_ext)",
       "0041000B91531010101010000022062501012401011BC586B2416D529BD786B7E96D7C1BE002C8011318"
       "870E", None,
       "ofono's expected_text; PDU framed by hand around ofono's septets: UDH 25 01 01 "
       "24 01 01 (Turkish), 7 octets = 8 septets, no fill bits",
       type="submit", address="+35010101010", locking_shift=1, single_shift=1,
       text="\f^{}\\[~]|ĞİŞç€ğış"),
    _v("ofono-portuguese-locking-single", OFONO + " (sms_charset_portugal_ext)",
       "0041000B915310101010100000390625010324010384C446B160381E1BC96662D9543696CD6583D9643C"
       "1BD42675D9F0C01B9F8602CC74B75C0EE68030ECF91D", None,
       "ofono's expected_text; PDU framed by hand around ofono's septets: UDH 25 01 03 "
       "24 01 03 (Portuguese)",
       type="submit", address="+35010101010", locking_shift=3, single_shift=3,
       text="êç\fÔôÁáΦΓ^ΩΠΨΣΘÊ{}\\[~]|ÀÍÓÚÃÕÂ€íóúãõâ"),
    _v("ofono-spanish-single", OFONO + " (sms_charset_spain)",
       "0041000B9153101010101000002B03240102D824368A0D6583DAA436AF0D6FD3DBF836C04D7093DC3C37"
       "D54D7853DEA437EF4D1D", None,
       "ofono's expected_text; PDU framed by hand around ofono's septets: UDH 24 01 02 "
       "(Spanish single shift only), 4 octets + 3 fill bits = 5 septets",
       type="submit", address="+35010101010", locking_shift=None, single_shift=2,
       text="ç\f^{}\\[~]|ÁÍÓÚá€íóú"),
]

STATUS_REPORTS = [
    _v("gsmmodem-issue44-cds", "https://github.com/faucamp/python-gsmmodem/issues/44 "
       "(+CDS: 25 after +CMGS: 64)",
       "079119890400202306400C91197909913764511090718384225110907183252200", 25,
       HAND + "; TP-MR 0x40 matches '+CMGS: 64' in the log",
       type="status_report", smsc="+919840000232", message_reference=64,
       address="+919790197346", timestamp="2015-01-09T17:38:48+05:30",
       discharge_time="2015-01-09T17:38:52+05:30", status=0, outcome="delivered"),
    _v("mm-not-stored", MM + " (test_pdu_not_stored)",
       "07914356060013F1065A098136397339F7219011700463802190117004638030", None,
       "ModemManager's expected smsc, number and timestamp; TP-ST 0x30 (temporary error, SC "
       "still trying, §9.2.3.15) " + HAND,
       type="status_report", smsc="+34656000311", address="639337937", message_reference=0x5A,
       timestamp="2012-09-11T07:40:36+02:00", discharge_time="2012-09-11T07:40:36+02:00",
       status=0x30, outcome="pending"),
    _v("ofono-sr-pdu1", OFONO + " (test_sr_assembly, sr_pdu1)",
       "06040D91945152991136F00160124130340A0160124130940A00", 26,
       "ofono: no SCA, mr 4, recipient +4915259911630, delivered; timestamps " + HAND
       + " (TZ 0x0A = -20 quarters)",
       type="status_report", smsc=None, message_reference=4, address="+4915259911630",
       timestamp="2010-06-21T14:03:43-05:00", discharge_time="2010-06-21T14:03:49-05:00",
       status=0, outcome="delivered"),
    _v("ofono-sr-pdu2", OFONO + " (test_sr_assembly, sr_pdu2)",
       "06050D91945152991136F00160124130640A0160124130450A00", 26,
       "ofono: mr 5, recipient +4915259911630, delivered",
       type="status_report", smsc=None, message_reference=5, address="+4915259911630",
       status=0, outcome="delivered"),
    _v("ofono-sr-pdu3", OFONO + " (test_sr_assembly, sr_pdu3)",
       "0606098121436587F9019012413064A0019012413045A000", 24,
       "ofono: mr 6, recipient in national format, delivered; timestamps " + HAND
       + " (TZ 0xA0: units digit A taken as 0, §9.2.3.11)",
       type="status_report", smsc=None, message_reference=6, address="123456789",
       timestamp="2010-09-21T14:03:46+00:00", discharge_time="2010-09-21T14:03:54+00:00",
       status=0, outcome="delivered"),
    _v("gammu-30", GAMMU + "30.dump",
       "079124603050020006E80C91666666666666909070618422809090706184628000", 25, GAMMU_NOTE,
       type="status_report", smsc="+420603052000", message_reference=0xE8,
       address="+666666666666", timestamp="2009-09-07T16:48:22+02:00",
       discharge_time="2009-09-07T16:48:26+02:00", status=0, outcome="delivered"),
    _v("gammu-32-ff-padding", GAMMU + "32.dump (SIM record padded with FF)",
       "079124602009999002AB098106845688F8907080517375809070805183018000" + "FF" * 143, 29,
       GAMMU_NOTE + "; everything after TP-ST is FF padding",
       type="status_report", smsc="+420602909909", message_reference=0xAB,
       address="604865888", timestamp="2009-07-08T15:37:57+02:00",
       discharge_time="2009-07-08T15:38:10+02:00", status=0, outcome="delivered"),
    _v("gammu-34-with-pi", GAMMU + "34.dump (TP-PI 0x06 then DCS and UDL 0)",
       "07911614786007F006060B911634092142F4019071011000040190710110450400060000", 29,
       GAMMU_NOTE + "; TZ 0x04 = +40 quarters",
       type="status_report", smsc="+61418706700", message_reference=6, address="+61439012244",
       timestamp="2010-09-17T10:01:00+10:00", discharge_time="2010-09-17T10:01:54+10:00",
       status=0, outcome="delivered"),
    _v("gammu-36", GAMMU + "36.dump (<length> 29 for a 27-octet TPDU)",
       "07912658050000F006010D91265817373754F501010161705382010101617083820000", 29,
       GAMMU_NOTE,
       type="status_report", smsc="+62855000000", message_reference=1,
       address="+6285717373455", timestamp="2010-10-10T16:07:35+07:00",
       discharge_time="2010-10-10T16:07:38+07:00", status=0, outcome="delivered"),
    _v("gammu-38", GAMMU + "38.dump (+CMGR: 24, length only)",
       "079124602009999006B4098106326906F2212041015554402120410155054000", 24, GAMMU_NOTE,
       type="status_report", smsc="+420602909909", message_reference=0xB4, address="602396602",
       timestamp="2012-02-14T10:55:45+01:00", discharge_time="2012-02-14T10:55:50+01:00",
       status=0, outcome="delivered"),
    _v("gsmmodem-zte-semi-invalid", GSMMODEM + " (TestSmsPdu.test_decode, ZTE status report)",
       "0297F1061C0F910B487228297020F5317062419272803170624192138000", None,
       "python-gsmmodem's expected reference, time and discharge; it renders the broken "
       "recipient '+b08427829207025' (semi-octet 0xB is '#' in §9.1.2.3), so only the digits "
       "after it are asserted",
       type="status_report", message_reference=28, address_suffix="08427829207025",
       timestamp="2013-07-26T14:29:27+02:00", discharge_time="2013-07-26T14:29:31+02:00",
       status=0, outcome="delivered"),
    _v("gsmmodem-sr-no-smsc", GSMMODEM + " (TestSmsPdu.test_decode, 5th)",
       "0006D60B911326880736F4111011719551401110117195714000", None,
       "python-gsmmodem's expected number and reference; the rest " + HAND,
       type="status_report", smsc=None, message_reference=214, address="+31628870634",
       timestamp="2011-01-11T17:59:15+01:00", discharge_time="2011-01-11T17:59:17+01:00",
       status=0, outcome="delivered"),
    _v("messaging-sr-0x43", MESSAGING + " (test_decode_sms_confirmation, 1st)",
       "07914306073011F006270B913426565711F7012081111345400120811174054043", None,
       "python-messaging's csca and date (10/02/18 11:31:54) and '+43626575117' in its text; "
       "TP-ST 0x43 'not obtainable' is a permanent error (§9.2.3.15)",
       type="status_report", smsc="+34607003110", message_reference=0x27,
       address="+43626575117", timestamp="2010-02-18T11:31:54+01:00",
       discharge_time="2010-02-18T11:47:50+01:00", status=0x43, outcome="failed_permanent"),
]

SUBMIT = [
    _v("ofono-simple-submit", OFONO + " (simple_submit, test_simple_submit)",
       "0011000B916407281553F80000AA0AE8329BFD4697D9EC37", 23,
       "ofono's assertions; relative TP-VP 0xAA = 4 days (§9.2.3.12.1)",
       type="submit", smsc=None, message_reference=0, address="+46708251358", ton=1, pid=0,
       dcs=0, validity=4 * 86400, text="hellohello"),
    _v("mm-stored-by-us", MM + " (test_pdu_stored_by_us)",
       "002100098136397339F70008224F60597D4F60597D4F60597D4F60597D4F60597D4F60597D4F60597D4F"
       "60597D4F60", None,
       "ModemManager's expected number and text; SRR bit " + HAND,
       type="submit", smsc=None, address="639337937", alphabet="ucs2", validity=None,
       status_report_request=True, text="你好你好你好你好你好你好你好你好你"),
    _v("gammu-05", GAMMU + "05.dump",
       "0791539111161616114F048123000000FF06D0B79BFE9E03", 16, GAMMU_NOTE,
       type="submit", smsc="+351911616161", message_reference=0x4F, address="3200",
       validity=WEEKS_63, text="Pontos"),
    _v("gammu-02-reply-path", GAMMU + "02.dump",
       "0791361907001003B17A0C913619397750320000AD11CD701E340FB3C3F23CC81D0689C3BF", 29,
       GAMMU_NOTE + "; first octet 0xB1 (TP-RP, TP-SRR), TP-VP 0xAD = 7 days",
       type="submit", smsc="+639170000130", message_reference=0x7A, address="+639193770523",
       status_report_request=True, validity=7 * 86400, text="May salary na ba?"),
    _v("gammu-15", GAMMU + "15.dump (<length> 78 for an 18-octet TPDU)",
       "07919761989901F031000B919761084218F200F1FF04D4F29C0E", 78, GAMMU_NOTE,
       type="submit", smsc="+79168999100", address="+79168024812", dcs=0xF1,
       message_class=1, status_report_request=True, validity=WEEKS_63, text="Test"),
    _v("gammu-16-ucs2", GAMMU + "16.dump (<length> 78 for a 22-octet TPDU)",
       "07912480002143651100048121430008FF0C003100320033003400350036", 78, GAMMU_NOTE,
       type="submit", smsc="+420800123456", address="1234", alphabet="ucs2",
       validity=WEEKS_63, text="123456"),
    _v("gammu-19-empty-udh", GAMMU + "19.dump (<length> 164 for a 34-octet TPDU)",
       "069134660405F151000C8160460653332000F1001600C034DC86B3CBA063B8DDAE83DAE5F93C7C2E03",
       164, GAMMU_NOTE + "; TP-UDHI set with UDHL 0: one header octet, 1 fill bit",
       type="submit", smsc="+436640501", address="066460353302", validity=300,
       udh=(), text="Sample Gammu message"),
    _v("gammu-24-empty-smsc", GAMMU + "24.dump (SCA '01 81': type octet only)",
       "018111000A8133184449200000FF1E69F7BC2C4FCFC76950BC9E06A5D9A076793E0F9FCFE9B7CBE57201",
       78, GAMMU_NOTE,
       type="submit", address="3381449402", validity=WEEKS_63,
       text="inserisci qui il messaggio...."),
    _v("gammu-28", GAMMU + "28.dump (<length> 23 for a 58-octet TPDU)",
       "07915141991321F311000B914161787734F800F1FF32EE7A2B0D72A7DBE9B10BE4ACB7C36950DA3D2ECB"
       "C7A07918640F9341E432082E4FB7CBF331A82C97BFE56917", 23, GAMMU_NOTE,
       type="submit", smsc="+15149931123", address="+14168777438",
       text="nu-i nimic. Numai incerc sa vad de primesc errori."),
    _v("gammu-31-empty-da", GAMMU + "31.dump (TP-DA '00 81', zero digits)",
       "07918406010013F0310000810000FF21B19A8E1603C9642F18EE05C38140201008049AEBC7FAF29C9DBE"
       "E75D20", 25, GAMMU_NOTE,
       type="submit", smsc="+48601000310", address="", status_report_request=True,
       text="15:41 22/08/08       szczesliwy. "),
    _v("ofono-ems-1", OFONO + " (ems_udh_test_1)",
       "0041000B915121551532F40000631A0A031906200A032104100A032705040A032E05080A043807002B8A"
       "CD29A85D9ECFC3E7F21C340EBB41E3B79B1E4EBB41697A989D1EB340E2379BCC02B1C3F27399059AB7C3"
       "6C3628EC2683C66FF65B5E2683E8653C1D", 100,
       "ofono's assertions: five text-formatting IEs (0x0A), UDHL 26, expected text",
       type="submit", address="+15125551234",
       udh=((0x0A, "190620"), (0x0A, "210410"), (0x0A, "270504"), (0x0A, "2E0508"),
            (0x0A, "3807002B")),
       text="EMS messages can contain italic, bold, large, small and colored text"),
    _v("ofono-ems-2", OFONO + " (ems_udh_test_2)",
       "079194712272303351030B915121340195F60000FF80230A030F07230A031806130A031E0A430A032E0D"
       "830A033D14020A035104F60A0355010600159D9E83D2735018442FCFE98A243DCC4E97C92C90F8CD26B3"
       "407537B92C67A7DD65320B1476934173BA3CBD2ED3D1F277FD8C76299CEF3B280C92A7CF683A28CC4E9F"
       "DD6532E8FE96935D", 126,
       "ofono's assertions: seven text-formatting IEs, UDHL 35, expected text",
       type="submit", smsc="+491722270333", message_reference=3, address="+15124310596",
       validity=WEEKS_63,
       udh=((0x0A, "0F0723"), (0x0A, "180613"), (0x0A, "1E0A43"), (0x0A, "2E0D83"),
            (0x0A, "3D1402"), (0x0A, "5104F6"), (0x0A, "550106")),
       text="This is a test\nItalied, bold, underlined, and strikethrough.\n"
            "Now a right aligned word."),
    _v("gsmmodem-8bit-submit", GSMMODEM + " (TestSmsPdu.test_decode, 8-bit data coding)",
       "0591721891F101000B917228214365F700040C48656C6C6F20776F726C6421", None,
       "python-gsmmodem's expected number, smsc and 'Hello world!' (here: the 8-bit data)",
       type="submit", smsc="+2781191", address="+27821234567", alphabet="8bit",
       user_data="48656C6C6F20776F726C6421"),
    _v("gsmmodem-diafaan-submit", GSMMODEM + " (TestSmsPdu.test_decode, 4th)",
       "07911326040000F0310D0B911326880736F40000A90FF7FBDD454E87CDE1B0DB357EB701", None,
       "python-gsmmodem's expected smsc, number, validity (3 days) and text",
       type="submit", smsc="+31624000000", message_reference=0x0D, address="+31628870634",
       validity=3 * 86400, status_report_request=True, text="www.diafaan.com"),
    _v("gsmmodem-absolute-validity", GSMMODEM + " (TestSmsPdu.test_decode, absolute validity)",
       "0019000B917228001011F100003170013193008017D474BB3CA787DB70903DCC4E93D3F43C885E9ED301",
       None, "python-gsmmodem's expected text; the 7-octet absolute TP-VP must be skipped",
       type="submit", smsc=None, address="+27820001111", text="Timestamp validity test"),
    _v("gsmmodem-issue44-cmgs", "https://github.com/faucamp/python-gsmmodem/issues/44 "
       "(AT+CMGS=61 in the log)",
       "0021000C91197909913764000036D3E614242F8FCB697B99AC038964B058AD058BB5603950ECA69BE174"
       "33D80A56D3CD603A1032AD5004DD73741D341501", 61, HAND,
       type="submit", smsc=None, address="+919790197346", status_report_request=True,
       text='SMS received: "2015-01-09 17:38:30+05:30: Hi\n\nAnshu S"'),
]

ERRORS = [
    _v("gammu-fail-13-nonhex", GAMMU_FAIL + "13.dump",
       "0BD04259303784=96p331p71160016D02B5AEC86BBDD6E37D80DFF00F19C0AC8F7BA3E87BFD7F539"
       + "FF" * 135 + "12", 164, "gammu must fail on it: '=' and 'p' are not hex digits",
       type="error"),
    _v("gammu-fail-17-nonhex", GAMMU_FAIL + "17.dump",
       "0BD0p2608>381p=*70p2616p16000AD0D770BB5D0700F1FF04F4F29C0E9C" + "FF" * 145 + "12", 164,
       "gammu must fail on it: not hex", type="error"),
    _v("gammu-fail-41-short-ud", GAMMU_FAIL + "41.dump",
       "0041000b817777777777f700005d060504157800004de1135b851283d4e2afdd8bd576f3b2dc5e96f7dc"
       "617a788e2ebbd761173c2ca7e777f0b79cdecbe5663bf8bdc74e57cdcfbcf5b97387dbe59e1be00ed3c3"
       "7374d9bd0ebbe06139", 93,
       "gammu must fail on it: TP-UDL 93 septets needs 82 octets, 79 follow", type="error"),
    _v("mm-insufficient-data", MM + " (test_pdu_insufficient_data)",
       "07912143658709F1040B918100551512F20000111010214365000BE8329BFD4697D9EC37", None,
       "ModemManager expects an error: TP-UDL 11 septets needs 10 octets, 9 follow",
       type="error"),
    _v("messaging-odd-length", MESSAGING + " (test_decoding_odd_length_pdu_strict_raises_valueerror)",
       "07919471060040340409D0C6A733390400009060920173018093CC74595C96838C4F6772085AD6DDE432"
       "0B444E9741D4B03C6D7EC3E9E9B71B9474D3CB727799DEA286CFE5B9991DA6CBC3F432E85E9793CBA0F0"
       "9A9EB6A7CB72BA0B9474D3CB727799DE72D6E9FABAFB0CBAA7E56490BA4CD7D34170F91BE4ACD3F575F7"
       "794E0F9F4161F1B92C2F8FD1EE32DD054AA2E520E3D3991C82A8E5701", None,
       "python-messaging expects ValueError (strict): odd number of hex digits",
       type="error"),
]

ALL = (DELIVER + UCS2 + EIGHT_BIT + ALPHANUMERIC + CONCAT + PORTS + DCS_ODDITIES + NATIONAL
       + STATUS_REPORTS + SUBMIT + ERRORS)
