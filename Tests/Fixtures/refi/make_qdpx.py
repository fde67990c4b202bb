#!/usr/bin/env python3
"""Writes the .qdpx fixtures of Tests/Fixtures/refi/ in the styles of QualCoder, MAXQDA and
ATLAS.ti, as those tools write them (see ../../../ARCHITECTURE.md and the REFI-QDA notes in
../shared/reference/refi-qda/REFI_QDA.md): folder names, .qde names, BOMs, CRLF counting,
GUID case, memos. Positions are computed here with Python's str (code points), independently
of Verbatim's Swift conversion; the tests check the excerpts, not the numbers.

Run from this folder: python3 make_qdpx.py   (deterministic: fixed zip dates)
"""
import zipfile

DATE = (2024, 3, 18, 10, 0, 0)


def write_zip(name, entries):
    with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in entries:
            info = zipfile.ZipInfo(path, DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def esc(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def positions(text, excerpt, crlf_as_one=False):
    start = text.index(excerpt)
    end = start + len(excerpt)
    if crlf_as_one:
        start -= text[:start].count("\r\n")
        end -= text[:end].count("\r\n")
    return start, end


# --- QualCoder 3.5: project.qde, sources/, LF, lowercase GUIDs, categories non-codable,
# coding memo as a Note referenced from the Coding, case variables and file variables.
QC_TEXT = ("Enquêtrice : Vous utilisez quoi comme matériel ?\n"
           "Élue : Une tablette 📱 fournie par la mairie, et mon ordinateur perso.\n"
           "Enquêtrice : Et le télétravail ?\n"
           "Élue : C’est « compliqué » & fatigant, e\u0301videmment.\n")
QC_SOURCE = "5c1a9c3e-2d4b-4f6a-8e7d-9a0b1c2d3e4f"
qc_sel = [
    ("e1111111-1111-4111-8111-111111111111", "Une tablette 📱 fournie par la mairie", "a9d3c1f0-1b2c-4d5e-8f90-0a1b2c3d4e61",
     "f1111111-1111-4111-8111-111111111111", "b1111111-1111-4111-8111-111111111111"),
    ("e1111111-1111-4111-8111-111111111112", "« compliqué » & fatigant, e\u0301videmment", "a9d3c1f0-1b2c-4d5e-8f90-0a1b2c3d4e62",
     "f1111111-1111-4111-8111-111111111112", None),
]
sel_xml = ""
for guid, excerpt, code, coding, note in qc_sel:
    start, end = positions(QC_TEXT, excerpt)
    sel_xml += (f'<PlainTextSelection guid="{guid}" name="{esc(excerpt)}" startPosition="{start}" endPosition="{end}" '
                f'creatingUser="a1111111-1111-4111-8111-111111111111" creationDateTime="2024-03-18T09:15:02Z">\n'
                f'<Coding guid="{coding}" creatingUser="a1111111-1111-4111-8111-111111111111" creationDateTime="2024-03-18T09:15:02Z">\n'
                f'<CodeRef targetGUID="{code}"/>\n'
                + (f'<NoteRef targetGUID="{note}"/>\n' if note else "") +
                '</Coding>\n</PlainTextSelection>\n')
QC_QDE = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd" name="Numérique QualCoder" origin="QualCoder 3.5" creatingUserGUID="a1111111-1111-4111-8111-111111111111" creationDateTime="2024-03-18T09:00:00Z">
<Users>
<User guid="a1111111-1111-4111-8111-111111111111" name="Camille"/>
</Users>
<CodeBook>
<Codes>
<Code guid="a9d3c1f0-1b2c-4d5e-8f90-0a1b2c3d4e60" name="Numérique" isCodable="false">
<Description>Catégorie</Description>
<Code guid="a9d3c1f0-1b2c-4d5e-8f90-0a1b2c3d4e61" name="Équipement" isCodable="true" color="#F1C40F">
<Description>Tablettes, ordinateurs &amp; &lt;smartphones&gt;</Description>
</Code>
<Code guid="a9d3c1f0-1b2c-4d5e-8f90-0a1b2c3d4e62" name="Télétravail" isCodable="true" color="#3498DB">
</Code>
</Code>
</Codes>
</CodeBook>
<Variables>
<Variable guid="c1111111-1111-4111-8111-111111111111" name="Âge" typeOfVariable="Integer"/>
<Variable guid="c1111111-1111-4111-8111-111111111112" name="commune" typeOfVariable="Text"/>
<Variable guid="c1111111-1111-4111-8111-111111111113" name="date entretien" typeOfVariable="Date"/>
</Variables>
<Cases>
<Case guid="d1111111-1111-4111-8111-111111111111" name="Élue 01">
<VariableValue>
<VariableRef targetGUID="c1111111-1111-4111-8111-111111111111"/>
<IntegerValue>54</IntegerValue>
</VariableValue>
<VariableValue>
<VariableRef targetGUID="c1111111-1111-4111-8111-111111111112"/>
<TextValue>Saint-Brieuc &amp; agglo</TextValue>
</VariableValue>
<SourceRef targetGUID="{QC_SOURCE}"/>
</Case>
</Cases>
<Sources>
<TextSource guid="{QC_SOURCE}" name="entretien élue 01.txt" plainTextPath="internal://{QC_SOURCE}.txt" creatingUser="a1111111-1111-4111-8111-111111111111" creationDateTime="2024-03-18T09:00:00Z">
{sel_xml}<VariableValue>
<VariableRef targetGUID="c1111111-1111-4111-8111-111111111113"/>
<DateValue>2023-02-14</DateValue>
</VariableValue>
</TextSource>
</Sources>
<Notes>
<Note guid="b1111111-1111-4111-8111-111111111111" name="Mémo tablette" creatingUser="a1111111-1111-4111-8111-111111111111" creationDateTime="2024-03-18T09:16:00Z">
<PlainTextContent>Dotation par la mairie : à comparer avec l'EPCI.</PlainTextContent>
</Note>
</Notes>
</Project>
"""
write_zip("qualcoder-style.qdpx", [("project.qde", QC_QDE), (f"sources/{QC_SOURCE}.txt", QC_TEXT)])

# --- MAXQDA 2022: UTF-8 BOM and CRLF in the source (counted two positions, as the standard
# says), uppercase GUIDs (also in the file name), memos in the selection's Description,
# document variables on the TextSource, an empty <Sets/>, two coders, a coding of a
# parent code and an emoji.
MQ_TEXT = ("Interlocuteur 1 : On renouvelle le parc tous les cinq ans.\r\n"
           "Interlocuteur 2 : Sauf les smartphones 😀, c’est plus court.\r\n"
           "\r\n"
           "Enquêtrice : Et la sobriété ?\r\n"
           "Interlocuteur 1 : On en parle… mais « en vrai » c’est compliqué.\r\n")
MQ_SOURCE = "8E3D4C5A-1B2C-4D3E-9F10-A1B2C3D4E5F6"
MQ_USERS = ["0C0A0B0C-0001-4000-8000-000000000001", "0C0A0B0C-0001-4000-8000-000000000002"]
mq_sel = [
    ("On renouvelle le parc tous les cinq ans.", "6F9619FF-8B86-D011-B42D-00C04FC96501", MQ_USERS[0], None),
    ("Sauf les smartphones 😀, c’est plus court.\r\n\r\nEnquêtrice", "6F9619FF-8B86-D011-B42D-00C04FC96500", MQ_USERS[1],
     "Mémo MAXQDA : durée de vie différente"),
    ("« en vrai » c’est compliqué.", "6F9619FF-8B86-D011-B42D-00C04FC96502", MQ_USERS[0], None),
]
sel_xml = ""
for index, (excerpt, code, user, memo) in enumerate(mq_sel):
    start, end = positions(MQ_TEXT, excerpt)
    sel_xml += (f'      <PlainTextSelection guid="7A000000-0000-4000-8000-00000000000{index}" name="" startPosition="{start}" '
                f'endPosition="{end}" creatingUser="{user}" creationDateTime="2024-01-05T14:02:11">\n'
                + (f'        <Description>{esc(memo)}</Description>\n' if memo else "") +
                f'        <Coding guid="7B000000-0000-4000-8000-00000000000{index}" creatingUser="{user}" creationDateTime="2024-01-05T14:02:11">\n'
                f'          <CodeRef targetGUID="{code}"/>\n'
                '        </Coding>\n      </PlainTextSelection>\n')
MQ_QDE = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="Sobriété numérique" origin="MAXQDA 2022 (Release 22.4.1)" creatingUserGUID="{MQ_USERS[0]}">
  <Users>
    <User guid="{MQ_USERS[0]}" name="AB" id="AB"/>
    <User guid="{MQ_USERS[1]}" name="CD" id="CD"/>
  </Users>
  <CodeBook>
    <Codes>
      <Code guid="6F9619FF-8B86-D011-B42D-00C04FC964FF" name="Numérique" isCodable="true" color="#0000AA">
        <Code guid="6F9619FF-8B86-D011-B42D-00C04FC96500" name="Équipement" isCodable="true" color="#FF8000">
          <Code guid="6F9619FF-8B86-D011-B42D-00C04FC96501" name="Renouvellement" isCodable="true" color="#808080"/>
        </Code>
        <Code guid="6F9619FF-8B86-D011-B42D-00C04FC96502" name="Sobriété &amp; usages" isCodable="true" color="#408040"/>
      </Code>
    </Codes>
  </CodeBook>
  <Variables>
    <Variable guid="9A000000-0000-4000-8000-000000000001" name="Taille commune" typeOfVariable="Text"/>
    <Variable guid="9A000000-0000-4000-8000-000000000002" name="Nombre d'agents" typeOfVariable="Integer"/>
  </Variables>
  <Sources>
    <TextSource guid="{MQ_SOURCE}" name="DSI commune 20 000" plainTextPath="internal://{MQ_SOURCE}.txt" creatingUser="{MQ_USERS[0]}" creationDateTime="2024-01-05T13:50:00">
{sel_xml}      <VariableValue>
        <VariableRef targetGUID="9A000000-0000-4000-8000-000000000001"/>
        <TextValue>20000-25000</TextValue>
      </VariableValue>
      <VariableValue>
        <VariableRef targetGUID="9A000000-0000-4000-8000-000000000002"/>
        <IntegerValue>12</IntegerValue>
      </VariableValue>
    </TextSource>
  </Sources>
  <Sets/>
</Project>
"""
write_zip("maxqda-style.qdpx", [
    ("project.qde", "\ufeff" + MQ_QDE),
    (f"sources/{MQ_SOURCE}.txt", "\ufeff" + MQ_TEXT),
])

# --- ATLAS.ti 26: the .qde named after the project, a capitalised Sources/ folder, CRLF
# counted as ONE position, selection names holding the quoted text, a PDF source (skipped),
# a project memo.
AT_TEXT = ("Élu : Le numérique responsable, c’est d’abord l’équipement.\r\n"
           "Élu : On garde les ordinateurs sept ans,\r\nparfois plus.\r\n"
           "Élu : Et on forme les agents aux écogestes.\r\n")
AT_SOURCE = "c0ffee00-aaaa-4bbb-8ccc-000000000001"
at_sel = [
    ("On garde les ordinateurs sept ans,\r\nparfois plus.", "d0d0d0d0-0000-4000-8000-000000000002"),
    ("on forme les agents aux écogestes.", "d0d0d0d0-0000-4000-8000-000000000003"),
    ("Le numérique responsable", "d0d0d0d0-0000-4000-8000-000000000001"),
]
sel_xml = ""
for index, (excerpt, code) in enumerate(at_sel):
    start, end = positions(AT_TEXT, excerpt, crlf_as_one=True)
    sel_xml += (f'<PlainTextSelection guid="e0e0e0e0-0000-4000-8000-00000000000{index}" '
                f'name="{esc(excerpt.replace(chr(13), ""))}" startPosition="{start}" endPosition="{end}" '
                'creatingUser="f0f0f0f0-0000-4000-8000-000000000001" creationDateTime="2025-11-02T08:30:00Z">'
                f'<Coding guid="e1e1e1e1-0000-4000-8000-00000000000{index}" creatingUser="f0f0f0f0-0000-4000-8000-000000000001" '
                f'creationDateTime="2025-11-02T08:30:00Z"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>')
AT_QDE = f"""<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<Project name="Entretiens élus" origin="ATLAS.ti 26.0.1" xmlns="urn:QDA-XML:project:1.0"><Users><User guid="f0f0f0f0-0000-4000-8000-000000000001" name="Dominique"/></Users><CodeBook><Codes><Code guid="d0d0d0d0-0000-4000-8000-000000000001" name="Définition" isCodable="true" color="#a0a0a0"/><Code guid="d0d0d0d0-0000-4000-8000-000000000002" name="Durée de vie" isCodable="true" color="#ff0000"/><Code guid="d0d0d0d0-0000-4000-8000-000000000003" name="Formation" isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="{AT_SOURCE}" name="Élu commune 7000" plainTextPath="internal://{AT_SOURCE}.txt">{sel_xml}</TextSource><PDFSource guid="c0ffee00-aaaa-4bbb-8ccc-000000000002" name="Rapport" path="internal://c0ffee00-aaaa-4bbb-8ccc-000000000002.pdf"/></Sources><Notes><Note guid="abababab-0000-4000-8000-000000000001" name="Mémo de projet"><PlainTextContent>Trois entretiens à recoder.</PlainTextContent></Note></Notes><NoteRef targetGUID="abababab-0000-4000-8000-000000000001"/></Project>"""
write_zip("atlasti-style.qdpx", [
    ("Entretiens élus.qde", AT_QDE),
    (f"Sources/{AT_SOURCE}.txt", AT_TEXT),
    ("Sources/c0ffee00-aaaa-4bbb-8ccc-000000000002.pdf", "%PDF-1.4 (stand-in)"),
])

# --- A zip made by a Windows zipper: backslashes in entry names, the project in a top folder.
write_zip("windows-zip.qdpx", [
    ("Export\\project.qde", QC_QDE),
    (f"Export\\Sources\\{QC_SOURCE.upper()}.txt", QC_TEXT),
])

# --- Bad archives, each rejected with a precise message and nothing stored.
MINI_SOURCE = "5c1a9c3e-2d4b-4f6a-8e7d-9a0b1c2d3e4f"
MINI_TEXT = "Élue : Une tablette fournie par la mairie.\n"


def mini_qde(selection='startPosition="7" endPosition="20"', code_ref="a9d3c1f0-1b2c-4d5e-8f90-0a1b2c3d4e61",
             prolog=""):
    return f"""<?xml version="1.0" encoding="utf-8"?>
{prolog}<Project xmlns="urn:QDA-XML:project:1.0" name="Mauvais">
  <CodeBook>
    <Codes>
      <Code guid="a9d3c1f0-1b2c-4d5e-8f90-0a1b2c3d4e61" name="Équipement" isCodable="true"/>
    </Codes>
  </CodeBook>
  <Sources>
    <TextSource guid="{MINI_SOURCE}" name="entretien" plainTextPath="internal://{MINI_SOURCE}.txt">
      <PlainTextSelection guid="e1111111-1111-4111-8111-111111111111" {selection}>
        <Coding guid="f1111111-1111-4111-8111-111111111111">
          <CodeRef targetGUID="{code_ref}"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>
"""


source_entry = (f"sources/{MINI_SOURCE}.txt", MINI_TEXT)
write_zip("bad-offsets.qdpx", [("project.qde", mini_qde('startPosition="7" endPosition="400"')), source_entry])
write_zip("bad-code.qdpx", [("project.qde", mini_qde(code_ref="00000000-0000-4000-8000-000000000000")), source_entry])
write_zip("bad-traversal.qdpx", [("project.qde", mini_qde()), source_entry, ("../../evil.txt", "x")])
write_zip("bad-no-qde.qdpx", [("projet.xml", mini_qde()), source_entry])
write_zip("bad-missing-source.qdpx", [("project.qde", mini_qde())])
write_zip("bad-utf8.qdpx", [("project.qde", mini_qde()), (source_entry[0], "Élue".encode("latin-1"))])
write_zip("bad-doctype.qdpx", [
    ("project.qde", mini_qde(prolog='<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')),
    source_entry])
