"""Checks a Common Cartridge 1.3 the way an importer reads it.

usage: cc_check.py CARTRIDGE.imscc

Every XML file must be well-formed; the manifest must be a 1.3 cartridge's
(namespace, schema and version); every identifierref must name a
resource, every file a resource names must be in the zip and every file
in the zip must be named; a webcontent resource must launch one of its
files; an assessment resource must hold one QTI 1.2 file whose items each
carry a Common Cartridge profile. Prints problems, one per line, then a
JSON summary of the assessments (their items' profiles and weights) as
the last line; exits 1 if there was any problem.
"""

import json
import sys
import zipfile

from lxml import etree

CP = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p3/assessment"
PROFILES = {
    "cc.multiple_choice.v0p1": "response_lid",
    "cc.multiple_response.v0p1": "response_lid",
    "cc.true_false.v0p1": "response_lid",
    "cc.fib.v0p1": "response_str",
    "cc.essay.v0p1": "response_str",
}


def field(node, label):
    found = node.xpath(
        "q:qtimetadata/q:qtimetadatafield[q:fieldlabel=$label]/q:fieldentry/text()",
        namespaces={"q": QTI},
        label=label,
    )
    return found[0] if found else None


def main():
    problems, summary = [], {}
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    with zipfile.ZipFile(sys.argv[1]) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        xml = {}
        for name in names:
            if name.endswith(".xml"):
                try:
                    xml[name] = etree.fromstring(archive.read(name), parser)
                except etree.XMLSyntaxError as e:
                    problems.append(f"{name}: not well-formed: {e}")
    manifest = xml.get("imsmanifest.xml")
    if manifest is None:
        print("no well-formed imsmanifest.xml at the cartridge's root")
        return 1
    ns = {"cp": CP}
    if etree.QName(manifest).namespace != CP:
        problems.append(f"the manifest's namespace is {etree.QName(manifest).namespace}, not CC 1.3's")
    if manifest.xpath("cp:metadata/cp:schema/text()", namespaces=ns) != ["IMS Common Cartridge"]:
        problems.append("metadata/schema is not IMS Common Cartridge")
    if manifest.xpath("cp:metadata/cp:schemaversion/text()", namespaces=ns) != ["1.3.0"]:
        problems.append("metadata/schemaversion is not 1.3.0")
    resources, referenced = {}, set()
    for resource in manifest.iterfind("cp:resources/cp:resource", ns):
        ident, kind = resource.get("identifier"), resource.get("type")
        files = [f.get("href") for f in resource.iterfind("cp:file", ns)]
        resources[ident] = kind
        referenced.update(files)
        if kind == "webcontent":
            if resource.get("href") not in files:
                problems.append(f"{ident}: launches {resource.get('href')}, not one of its files")
        elif kind == ASSESSMENT:
            qti = [f for f in files if f.endswith(".xml")]
            if len(qti) != 1 or qti[0] not in xml:
                problems.append(f"{ident}: holds {qti}, not one QTI file")
                continue
            root = xml[qti[0]]
            if etree.QName(root).namespace != QTI:
                problems.append(f"{qti[0]}: not QTI 1.2")
            items = []
            for item in root.iter(f"{{{QTI}}}item"):
                meta = item.find(f"{{{QTI}}}itemmetadata")
                profile = field(meta, "cc_profile") if meta is not None else None
                if profile not in PROFILES:
                    problems.append(f"{qti[0]}: item {item.get('ident')} has profile {profile}")
                elif item.find(f".//{{{QTI}}}{PROFILES[profile]}") is None:
                    problems.append(f"{qti[0]}: item {item.get('ident')} ({profile}) has no {PROFILES[profile]}")
                items.append({"title": item.get("title"), "profile": profile, "weight": field(meta, "cc_weighting")})
            summary[ident] = items
        else:
            problems.append(f"{ident}: resource type {kind} is not one coursegen writes")
    for ref in manifest.iterfind(".//cp:item[@identifierref]", ns):
        if ref.get("identifierref") not in resources:
            problems.append(f"{ref.get('identifier')}: identifierref {ref.get('identifierref')} names no resource")
    present = set(names) - {"imsmanifest.xml"}
    problems += [f"missing from the zip: {n}" for n in sorted(referenced - present)]
    problems += [f"in the zip but referenced by no resource: {n}" for n in sorted(present - referenced)]
    for problem in problems:
        print(problem)
    print(json.dumps(summary))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
