"""Demo articles for the knowledge base (issue 4): call scripts, phone numbers and links in
English, German and Norwegian, tagged with the demo catalogue's problem codes.

Demo content is data, not interface text: nothing here is marked for translation.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from hierarchy.models import ProblemCode
from knowledgebase.models import Article, ArticleKind, Topic
from knowledgebase.services import article_create, article_publish

SCRIPT = ArticleKind.SCRIPT
PHONES = ArticleKind.PHONE_NUMBERS
LINK = ArticleKind.EXTERNAL_LINK
SEE = ArticleKind.ARTICLE_LINK

# Top-level topics and their sub-topics; every name is unique so articles can name their topic.
TOPICS = {
    "Waste and recycling": ["Household collection", "Recycling centres", "Street cleaning"],
    "Roads and streets": ["Road surface", "Winter service", "Street lighting and signals"],
    "Water": ["Water supply", "Sewers and drains"],
    "Parking": [],
    "Parks": ["Trees", "Playgrounds"],
    "Animals": [],
}

# Each article: kind, title, language (default "en"), keywords (in its language, where callers
# use other words than the article), topics, problem codes (their service categories are
# tagged too), and per kind its body, phone_numbers, url or link_to (the title of an earlier,
# published article). "draft": True leaves it unpublished.
ARTICLES: list[dict[str, Any]] = [
    # --- English call scripts ---------------------------------------------------------------
    {
        "kind": SCRIPT,
        "title": "Appliance pickup",
        "summary": "Booking the collection of a fridge, freezer, washing machine or stove.",
        "keywords": "refrigerator, fridge, freezer, washing machine, dryer, dishwasher, cooker",
        "topics": ["Household collection"],
        "codes": ["APPL"],
        "body": """\
**Greeting:** "Good morning, you are speaking with [name] at the city service centre. How can I
help you?"

### Ask the caller

1. Which **appliances** are to be collected, and how many? (fridge, freezer, washing machine,
   dryer, dishwasher, stove)
2. The **address**, and where the items will stand: at the kerb, in the courtyard, by the door.
3. A **phone number** for the crew on the day.
4. Is a fridge or freezer **empty and defrosted**?

### What to promise

- Collection within **10 working days**; the resident receives the date by text message.
- Items must be out by **7 am** on the day and must not block the pavement.
- Collection is free for up to **three appliances** per household a year.

### Do not promise

- A time of day: the crew plans its route in the morning.
- Collection from inside a flat or a cellar.

Create the request with problem code **APPL** and read the request number back to the caller.
""",
    },
    {
        "kind": SCRIPT,
        "title": "Bulky waste pickup",
        "summary": "Furniture, mattresses and other items too big for the bin.",
        "keywords": "couch, sofa, furniture, mattress, wardrobe, carpet, bulky items",
        "topics": ["Household collection"],
        "codes": ["BULK"],
        "body": """\
**Greeting:** "City service centre, this is [name]. How can I help?"

Ask the caller:

- What is to be collected: furniture, mattresses, carpets, bicycles?
- About how much: **up to 3 cubic metres** are collected in one booking.
- The address and a phone number for the crew.

Tell the caller:

- Collection within **14 days**; the date follows by text message.
- Put everything out the evening before, **not before 6 pm**.
- Not collected: building rubble, tyres, paint, car parts. Those go to a **recycling centre**.
""",
    },
    {
        "kind": SCRIPT,
        "title": "Missed collection",
        "summary": "The household bin was out on collection day but was not emptied.",
        "keywords": "bin not emptied, garbage, rubbish, trash, not picked up",
        "topics": ["Household collection"],
        "codes": ["MISS"],
        "body": """\
**Greeting:** "City service centre, this is [name]. How can I help?"

1. Check the **collection calendar** for the address: was it really collection day?
2. Ask whether the bin stood at the kerb **by 6 am**, lid closed.
3. Ask whether anything blocked the lorry (parked cars, road works).

If the bin was out in time: create the request with code **MISS**. The crew returns within
**2 working days**. Ask the caller to leave the bin out.

If it was not out in time: explain kindly that the next regular collection will empty it, and
that extra bags may be put next to the bin in **official waste sacks**.
""",
    },
    {
        "kind": SCRIPT,
        "title": "Missed recycling collection",
        "summary": "The recycling bin or bag was out but not emptied.",
        "keywords": "recycling bin, paper, plastic, cans, not emptied",
        "topics": ["Household collection"],
        "codes": ["RCYC"],
        "body": """\
Ask the caller:

- Which container was missed: **paper**, **plastic and cans**, or **glass**?
- Was it out by 6 am on collection day?
- Did the crew leave a **sticker**? A sticker means the bin held the wrong waste.

Promise a return visit within **3 working days** (code **RCYC**). With a sticker, explain what
went wrong and that the bin is emptied once the wrong items are taken out.
""",
    },
    {
        "kind": SCRIPT,
        "title": "Damaged or missing bin",
        "summary": "A bin is broken, stolen or was never delivered.",
        "keywords": "wheelie bin, broken bin, stolen bin, new bin, lid",
        "topics": ["Household collection"],
        "codes": ["BIN"],
        "body": """\
Ask the caller:

1. Is the bin **broken** (lid, wheels, body), **stolen**, or was it **never delivered**?
2. Which bin: general waste, paper or plastic, and its **size**?
3. The address and the name of the account holder.

Tell the caller: a replacement is delivered within **10 working days**. A bin broken by the
lorry is replaced free of charge; otherwise the fee is on the next waste bill.
""",
    },
    {
        "kind": SCRIPT,
        "title": "Hazardous waste at the recycling centre",
        "summary": "Paint, batteries, chemicals and electronics: where and when.",
        "keywords": "paint, batteries, chemicals, motor oil, asbestos, solvents",
        "topics": ["Recycling centres"],
        "codes": ["HAZ"],
        "body": """\
Tell the caller:

- Paint, solvents, batteries, light bulbs, pesticides and small electronics are taken free of
  charge at **every recycling centre**.
- Up to **20 litres** per visit; larger amounts need an appointment.
- Bring them **in their original containers**, closed, and never mixed.

**Never** advise pouring chemicals down the drain. For asbestos, refer the caller to the
**North recycling centre** only.
""",
    },
    {
        "kind": SCRIPT,
        "title": "Illegal dumping",
        "summary": "Waste dumped on public land, in a lay-by or in the woods.",
        "keywords": "fly-tipping, dumped rubbish, abandoned waste",
        "topics": ["Street cleaning"],
        "codes": ["DUMP"],
        "body": """\
Ask the caller:

1. **Where** exactly: street, nearest house number or landmark.
2. **What** has been dumped, and about how much.
3. Could it contain **chemicals, asbestos or needles**? If so, tell the caller not to touch it
   and mark the request **high priority**.
4. Did the caller see **who** dumped it? Note vehicle and time, but do not promise a prosecution.

The site is made safe within **48 hours** and cleared within **5 working days** (code **DUMP**).
""",
    },
    {
        "kind": SCRIPT,
        "title": "Pothole",
        "summary": "A hole in the road surface.",
        "keywords": "pot hole, hole in the road, road damage",
        "topics": ["Road surface"],
        "codes": ["POTH"],
        "body": """\
Ask the caller:

- The **street** and the **nearest house number**, and which lane.
- How big is it: **smaller than a plate**, **a dinner table**, or bigger? How deep?
- Has anyone been hurt or a vehicle damaged? For damage claims, give the claims form link.

Promise: dangerous holes are made safe within **48 hours**; the repair follows within
**14 days** (code **POTH**).
""",
    },
    {
        "kind": SCRIPT,
        "title": "Icy road or sidewalk",
        "summary": "Ice or snow not cleared from a road, pavement, cycle path or bus stop.",
        "keywords": "ice, black ice, slippery, grit, salt",
        "topics": ["Winter service"],
        "codes": ["ICE", "SNOW"],
        "body": """\
1. Where: the street, and is it a **main road**, a **side street**, a **cycle path** or a
   **bus stop**?
2. Is it **ice** (use code **ICE**) or **snow** not cleared (code **SNOW**)?
3. Has someone **fallen**? If so, ask whether an ambulance is needed first.

Tell the caller that main roads and bus routes are gritted first, **side streets within
12 hours** of the snow stopping, and that owners clear the pavement in front of their property.
""",
    },
    {
        "kind": SCRIPT,
        "title": "Streetlight out or damaged",
        "summary": "A streetlight is dark, on during the day, or its pole is damaged.",
        "keywords": "street lamp, street light, lamp post, dark street",
        "topics": ["Street lighting and signals"],
        "codes": ["SLOUT", "SLDAY", "POLE"],
        "body": """\
Ask for the **number on the pole** (a small plate at eye level) and the nearest house number.

- Light out at night: code **SLOUT**, repaired within **10 days**.
- Light on during the day: code **SLDAY**, within **14 days**.
- Pole hit, leaning, or with an **open door and wires**: code **POLE**, **high priority**.
  Ask the caller to keep away from it.
""",
    },
    {
        "kind": SCRIPT,
        "title": "Traffic signal out",
        "summary": "A traffic light is dark, flashing or stuck.",
        "keywords": "traffic light, traffic lights, stop light",
        "topics": ["Street lighting and signals"],
        "codes": ["SIGOUT", "SIGTIM"],
        "body": """\
**Urgent when the signal is dark or stuck.** Ask:

1. Which **junction** (both street names)?
2. Is the light **dark**, **flashing yellow** or **stuck on one colour**?
3. Is traffic **dangerous** right now? If yes, the caller should also dial the police.

Use code **SIGOUT** and tell the caller a crew will be there within **2 hours**. For a green phase
that is too short, or a pedestrian button that does not work, use **SIGTIM** instead.
""",
    },
    {
        "kind": SCRIPT,
        "title": "Water main break",
        "summary": "Water gushing from the road or pavement.",
        "keywords": "burst pipe, water leak, flooding",
        "topics": ["Water supply"],
        "codes": ["WMB"],
        "body": """\
**Urgent.** Ask:

1. The **nearest house number** and the street.
2. Is water **entering buildings** or cellars?
3. Is the road **flooded** or has it sunk?

Create the request with code **WMB** at once and tell the caller the emergency crew will be there
within **4 hours**. Neighbours may lose water for a while; drinking water is available from the
tanker the crew brings.
""",
    },
    {
        "kind": SCRIPT,
        "title": "No water or low water pressure",
        "summary": "There is no water at the property, or the pressure is low.",
        "keywords": "water cut off, water outage, taps dry",
        "topics": ["Water supply"],
        "codes": ["NOWAT", "LOWP"],
        "body": """\
1. Check the **water outage map** for planned work at the address first.
2. Ask whether the **neighbours** have water too.
3. Ask whether the stopcock in the house is open and whether the bill is paid.

- No water, neighbours too: code **NOWAT**, **urgent**.
- Only low pressure: code **LOWP**, a technician calls back within **7 days**.
""",
    },
    {
        "kind": SCRIPT,
        "title": "Sewer backup",
        "summary": "Sewage coming up through drains, toilets or a manhole.",
        "keywords": "sewage, blocked toilet, drain smell",
        "topics": ["Sewers and drains"],
        "codes": ["SEWB", "MANH"],
        "body": """\
Tell the caller straight away: **do not use water** (no flushing, no washing) until the crew has
been.

Ask:

- Is sewage coming up **inside** the building or in the **street**?
- Is a **manhole cover missing**? Then also use code **MANH** and ask the caller to keep people
  away if it is safe to do so.

Code **SEWB**, crew within **4 hours**.
""",
    },
    {
        "kind": SCRIPT,
        "title": "Fallen tree or hanging branch",
        "summary": "A tree or branch has fallen or is about to.",
        "keywords": "tree down, storm damage, broken branch",
        "topics": ["Trees"],
        "codes": ["TREEF", "TREEB"],
        "body": """\
1. Is **anyone hurt**? If yes, the caller dials the emergency number first.
2. Are **power lines** involved? Tell the caller to stay at least 10 metres away.
3. Where does it lie: road, path, building, car?

- Fallen tree: code **TREEF**, **urgent**, crew within 2 hours.
- Broken branch hanging over a road, path or playground: code **TREEB**, within 24 hours.
""",
    },
    {
        "kind": SCRIPT,
        "title": "Damaged playground equipment",
        "summary": "Broken swings, slides, fences or safety surfaces.",
        "keywords": "swing, slide, climbing frame, sandpit",
        "topics": ["Playgrounds"],
        "codes": ["PLAY"],
        "body": """\
Ask which **playground**, which **equipment**, and what is broken. If children could be hurt,
tell the caller the equipment will be **closed off within 24 hours** and repaired within
**14 days** (code **PLAY**).
""",
    },
    {
        "kind": SCRIPT,
        "title": "Dead or injured animal",
        "summary": "A dead animal on a road or in a park, or an injured wild animal.",
        "keywords": "roadkill, carcass, deer, fox, injured bird",
        "topics": ["Animals"],
        "codes": ["DEAD", "WILD"],
        "body": """\
- **Dead animal**: ask where exactly it lies and what kind of animal it is. Code **DEAD**,
  collected within **1 working day**. A dog or cat is scanned for a microchip.
- **Injured wild animal**: tell the caller **not to touch it**. Code **WILD**, the animal
  control officer comes within 4 hours.
""",
    },
    {
        "kind": SCRIPT,
        "title": "Residents' parking permit",
        "summary": "Who may apply, what it costs, how long it takes.",
        "keywords": "parking, resident permit, visitor permit",
        "topics": ["Parking"],
        "body": """\
Tell the caller:

- Residents **registered at an address** in a parking zone may apply for **one permit per car**.
- The permit costs **120 a year**; applications are made **online** only.
- A permit is issued within **5 working days**; until then, the receipt counts as a permit.

The caller needs the **registration document** of the car and proof of address.
""",
    },
    {
        "kind": SCRIPT,
        "title": "Christmas tree collection",
        "summary": "Collection dates for Christmas trees in January.",
        "keywords": "christmas tree, xmas tree, fir tree",
        "topics": ["Household collection"],
        "draft": True,
        "body": """\
Christmas trees are collected on **two Saturdays in January** (dates to be confirmed).

- Remove all **decorations, tinsel and the stand**.
- Put the tree out by **7 am** next to the bins.
""",
    },
    {
        "kind": SCRIPT,
        "title": "Abandoned vehicle",
        "summary": "A car without plates or that has not moved for weeks.",
        "keywords": "abandoned car, untaxed car, car without plates",
        "topics": ["Parking"],
        "draft": True,
        "body": """\
Ask for the **street**, the **make and colour** of the vehicle, its **plate** if it has one, and
how long it has stood there. Do not promise removal: the parking office checks first.
""",
    },
    # --- English phone numbers --------------------------------------------------------------
    {
        "kind": PHONES,
        "title": "Recycling centre phone numbers",
        "summary": "Opening hours Monday to Saturday 8 am to 6 pm.",
        "topics": ["Recycling centres"],
        "codes": ["HAZ", "GLASS"],
        "phone_numbers": [
            {"label": "Recycling centre North (Harbour Road)", "number": "555 0141"},
            {"label": "Recycling centre South (Mill Lane)", "number": "555 0142"},
            {"label": "Recycling centre East (Station Street)", "number": "555 0143"},
            {"label": "Recycling centre West (Quarry Way)", "number": "555 0144"},
            {"label": "Hazardous waste appointments", "number": "555 0149"},
        ],
    },
    {
        "kind": PHONES,
        "title": "Emergency and out-of-hours numbers",
        "summary": "For callers who need a crew tonight, and for transfers.",
        "topics": ["Water", "Roads and streets"],
        "codes": ["WMB", "SEWB", "MANH", "SIGOUT", "TREEF"],
        "phone_numbers": [
            {"label": "Water and sewer emergencies (24 hours)", "number": "555 0110"},
            {"label": "Roads and traffic signals (24 hours)", "number": "555 0111"},
            {"label": "Fallen trees (evenings and weekends)", "number": "555 0112"},
            {"label": "Police, fire, ambulance", "number": "112"},
        ],
    },
    {
        "kind": PHONES,
        "title": "Parking office numbers",
        "topics": ["Parking"],
        "phone_numbers": [
            {"label": "Parking permits", "number": "555 0160"},
            {"label": "Parking fines and appeals", "number": "555 0161"},
            {"label": "Towed vehicles", "number": "555 0162"},
        ],
    },
    {
        "kind": PHONES,
        "title": "Animal services numbers",
        "topics": ["Animals"],
        "codes": ["DEAD", "STRAY", "WILD"],
        "phone_numbers": [
            {"label": "Animal control (weekdays 7 am to 4 pm)", "number": "555 0170"},
            {"label": "Animal shelter", "number": "555 0171"},
            {"label": "Wildlife rescue (24 hours)", "number": "555 0172"},
        ],
    },
    # --- English external links -------------------------------------------------------------
    {
        "kind": LINK,
        "title": "Waste collection calendar",
        "summary": "Collection days for every address, to download or subscribe to.",
        "topics": ["Household collection"],
        "codes": ["MISS", "RCYC"],
        "url": "https://www.example.org/waste/collection-calendar",
    },
    {
        "kind": LINK,
        "title": "Recycling centre opening hours",
        "summary": "Opening hours, what each centre takes, and holiday closures.",
        "topics": ["Recycling centres"],
        "codes": ["HAZ", "GLASS"],
        "url": "https://www.example.org/recycling/centres",
    },
    {
        "kind": LINK,
        "title": "Road works map",
        "summary": "Current and planned road works and closures.",
        "topics": ["Road surface"],
        "codes": ["POTH", "SIDE", "SINK"],
        "url": "https://www.example.org/roads/roadworks-map",
    },
    {
        "kind": LINK,
        "title": "Water outage map",
        "summary": "Planned work and known outages on the water network.",
        "topics": ["Water supply"],
        "codes": ["NOWAT", "LOWP", "WMB"],
        "url": "https://www.example.org/water/outages",
    },
    {
        "kind": LINK,
        "title": "Parking permit application",
        "topics": ["Parking"],
        "url": "https://www.example.org/parking/residents-permit",
    },
    {
        "kind": LINK,
        "title": "Water bills and meter readings",
        "summary": "Submit a meter reading, see a bill, set up a payment plan.",
        "topics": ["Water supply"],
        "codes": ["BILL", "METR"],
        "url": "https://www.example.org/water/billing",
    },
    # --- English links to other articles ----------------------------------------------------
    {
        "kind": SEE,
        "title": "Fridge collection",
        "topics": ["Household collection"],
        "codes": ["APPL"],
        "link_to": "Appliance pickup",
    },
    {
        "kind": SEE,
        "title": "Washing machine disposal",
        "topics": ["Household collection"],
        "codes": ["APPL"],
        "link_to": "Appliance pickup",
    },
    {
        "kind": SEE,
        "title": "Sofa and mattress collection",
        "topics": ["Household collection"],
        "codes": ["BULK"],
        "link_to": "Bulky waste pickup",
    },
    {
        "kind": SEE,
        "title": "Bin not emptied",
        "topics": ["Household collection"],
        "codes": ["MISS"],
        "link_to": "Missed collection",
    },
    {
        "kind": SEE,
        "title": "Paint and batteries",
        "topics": ["Recycling centres"],
        "codes": ["HAZ"],
        "link_to": "Hazardous waste at the recycling centre",
    },
    {
        "kind": SEE,
        "title": "Snow clearing",
        "topics": ["Winter service"],
        "codes": ["SNOW"],
        "link_to": "Icy road or sidewalk",
    },
    # --- German ----------------------------------------------------------------------------
    {
        "kind": SCRIPT,
        "language": "de",
        "title": "Abholung von Elektrogroßgeräten",
        "summary": "Kühlschrank, Gefriertruhe, Waschmaschine oder Herd abholen lassen.",
        "keywords": "Kühlschrank, Gefrierschrank, Waschmaschine, Trockner, Herd, Elektroschrott",
        "topics": ["Household collection"],
        "codes": ["APPL"],
        "body": """\
**Begrüßung:** „Bürgerservice der Stadt, Sie sprechen mit [Name]. Was kann ich für Sie tun?“

### Fragen Sie

1. Welche **Geräte** sollen abgeholt werden, und wie viele?
2. Die **Adresse**, und wo die Geräte stehen werden (am Straßenrand, im Hof, vor der Tür).
3. Eine **Telefonnummer** für das Abholteam.
4. Ist der Kühlschrank **leer und abgetaut**?

### Sagen Sie zu

- Abholung innerhalb von **10 Werktagen**; den Termin erhalten Sie per SMS.
- Die Geräte müssen am Abholtag **ab 7 Uhr** draußen stehen.
- Bis zu **drei Geräte** pro Haushalt und Jahr sind kostenlos.

Meldung mit Problemcode **APPL** anlegen und die Vorgangsnummer vorlesen.
""",
    },
    {
        "kind": SCRIPT,
        "language": "de",
        "title": "Sperrmüllabholung",
        "summary": "Möbel, Matratzen und alles, was nicht in die Tonne passt.",
        "keywords": "Sofa, Couch, Möbel, Matratze, Schrank, Teppich",
        "topics": ["Household collection"],
        "codes": ["BULK"],
        "body": """\
Fragen Sie:

- Was soll abgeholt werden: Möbel, Matratzen, Teppiche, Fahrräder?
- Wie viel ungefähr? Pro Termin werden **bis zu 3 Kubikmeter** mitgenommen.
- Adresse und Telefonnummer für das Abholteam.

Sagen Sie:

- Abholung innerhalb von **14 Tagen**, der Termin kommt per SMS.
- Den Sperrmüll am Vorabend **ab 18 Uhr** bereitstellen.
- **Nicht** mitgenommen werden Bauschutt, Reifen, Farben und Autoteile: Diese gehören zum
  **Wertstoffhof**.
""",
    },
    {
        "kind": SCRIPT,
        "language": "de",
        "title": "Müllabfuhr verpasst",
        "summary": "Die Tonne stand bereit, wurde aber nicht geleert.",
        "keywords": "Tonne nicht geleert, Restmüll, Mülltonne",
        "topics": ["Household collection"],
        "codes": ["MISS"],
        "body": """\
1. Im **Abfuhrkalender** prüfen: War wirklich Abfuhrtag?
2. Fragen, ob die Tonne **bis 6 Uhr** mit geschlossenem Deckel an der Straße stand.
3. Fragen, ob etwas das Müllfahrzeug behindert hat (parkende Autos, Baustelle).

Stand die Tonne rechtzeitig draußen: Meldung mit Code **MISS** anlegen. Die Müllabfuhr kommt
innerhalb von **2 Werktagen** nach. Die Tonne bitte draußen stehen lassen.
""",
    },
    {
        "kind": PHONES,
        "language": "de",
        "title": "Wertstoffhöfe – Telefonnummern",
        "summary": "Geöffnet Montag bis Samstag von 8 bis 18 Uhr.",
        "topics": ["Recycling centres"],
        "codes": ["HAZ", "GLASS"],
        "phone_numbers": [
            {"label": "Wertstoffhof Nord (Hafenstraße)", "number": "555 0141"},
            {"label": "Wertstoffhof Süd (Mühlenweg)", "number": "555 0142"},
            {"label": "Wertstoffhof Ost (Bahnhofstraße)", "number": "555 0143"},
            {"label": "Schadstoffannahme, Terminvergabe", "number": "555 0149"},
        ],
    },
    {
        "kind": LINK,
        "language": "de",
        "title": "Abfuhrkalender",
        "summary": "Die Abfuhrtermine für jede Adresse, zum Herunterladen oder Abonnieren.",
        "topics": ["Household collection"],
        "codes": ["MISS", "RCYC"],
        "url": "https://www.example.org/de/abfall/abfuhrkalender",
    },
    {
        "kind": SEE,
        "language": "de",
        "title": "Kühlschrank entsorgen",
        "topics": ["Household collection"],
        "codes": ["APPL"],
        "link_to": "Abholung von Elektrogroßgeräten",
    },
    # --- Norwegian Bokmål -------------------------------------------------------------------
    {
        "kind": SCRIPT,
        "language": "nb",
        "title": "Henting av hvitevarer",
        "summary": "Kjøleskap, fryser, vaskemaskin eller komfyr som skal hentes.",
        "keywords": "kjøleskap, fryser, vaskemaskin, tørketrommel, komfyr, oppvaskmaskin",
        "topics": ["Household collection"],
        "codes": ["APPL"],
        "body": """\
**Hilsen:** «Kommunens servicesenter, du snakker med [navn]. Hva kan jeg hjelpe deg med?»

### Spør innringeren

1. Hvilke **hvitevarer** skal hentes, og hvor mange?
2. **Adressen**, og hvor tingene vil stå (ved veien, i gården, ved døren).
3. Et **telefonnummer** mannskapet kan ringe på hentedagen.
4. Er kjøleskapet eller fryseren **tømt og avrimet**?

### Dette kan du love

- Henting innen **10 virkedager**; datoen kommer på SMS.
- Tingene må stå ute **fra klokken 7** på hentedagen.
- Inntil **tre hvitevarer** per husstand i året hentes gratis.

Registrer saken med problemkode **APPL** og les opp saksnummeret.
""",
    },
    {
        "kind": SCRIPT,
        "language": "nb",
        "title": "Søppelhenting uteblitt",
        "summary": "Dunken sto ute på hentedagen, men ble ikke tømt.",
        "keywords": "dunken ikke tømt, restavfall, søppeldunk",
        "topics": ["Household collection"],
        "codes": ["MISS"],
        "body": """\
1. Sjekk **tømmekalenderen** for adressen: var det faktisk hentedag?
2. Spør om dunken sto ved veien **innen klokken 6**, med lokket igjen.
3. Spør om noe hindret bilen (parkerte biler, veiarbeid).

Sto dunken ute i tide: registrer saken med kode **MISS**. Renovatøren kommer tilbake innen
**2 virkedager**. Be innringeren la dunken stå ute.
""",
    },
    {
        "kind": SCRIPT,
        "language": "nb",
        "title": "Hull i veien",
        "summary": "Hull i asfalten på vei eller fortau.",
        "keywords": "hull, veihull, asfaltskade",
        "topics": ["Road surface"],
        "codes": ["POTH"],
        "body": """\
Spør om:

- **Gate** og **nærmeste husnummer**, og hvilket kjørefelt.
- Hvor stort er hullet: **mindre enn en tallerken**, **som et bord**, eller større?
- Er noen skadet, eller har et kjøretøy fått skade?

Farlige hull sikres innen **48 timer** og repareres innen **14 dager** (kode **POTH**).
""",
    },
    {
        "kind": PHONES,
        "language": "nb",
        "title": "Gjenvinningsstasjoner – telefonnumre",
        "summary": "Åpent mandag til lørdag klokken 8–18.",
        "topics": ["Recycling centres"],
        "codes": ["HAZ", "GLASS"],
        "phone_numbers": [
            {"label": "Gjenvinningsstasjon nord (Havneveien)", "number": "555 0141"},
            {"label": "Gjenvinningsstasjon sør (Møllegata)", "number": "555 0142"},
            {"label": "Gjenvinningsstasjon vest (Steinbruddveien)", "number": "555 0144"},
            {"label": "Farlig avfall, timebestilling", "number": "555 0149"},
        ],
    },
    {
        "kind": LINK,
        "language": "nb",
        "title": "Tømmekalender",
        "summary": "Hentedager for hver adresse.",
        "topics": ["Household collection"],
        "codes": ["MISS", "RCYC"],
        "url": "https://www.example.org/nb/avfall/tommekalender",
    },
    {
        "kind": SEE,
        "language": "nb",
        "title": "Kjøleskap og fryser",
        "topics": ["Household collection"],
        "codes": ["APPL"],
        "link_to": "Henting av hvitevarer",
    },
]


@transaction.atomic
def load_demo_articles(user: AbstractBaseUser) -> int:
    """Create the demo topics and articles, unless there are articles already; return how many
    articles were created."""
    if Article.objects.exists():
        return 0
    topics = _topics()
    codes = _problem_codes()
    created: dict[str, Article] = {}
    for entry in ARTICLES:
        created[entry["title"]] = _article(entry, user, topics, codes, created)
    return len(created)


def _topics() -> dict[str, Topic]:
    topics = {}
    for name, children in TOPICS.items():
        parent, _created = Topic.objects.get_or_create(name=name, parent=None)
        topics[name] = parent
        for child in children:
            topics[child], _created = Topic.objects.get_or_create(name=child, parent=parent)
    return topics


def _problem_codes() -> dict[str, ProblemCode]:
    """The demo catalogue's codes the articles name; any that are missing are left untagged."""
    wanted = {code for entry in ARTICLES for code in entry.get("codes", [])}
    found = ProblemCode.objects.filter(code__in=wanted).select_related("category")
    return {problem_code.code: problem_code for problem_code in found}


def _article(
    entry: dict[str, Any],
    user: AbstractBaseUser,
    topics: dict[str, Topic],
    codes: dict[str, ProblemCode],
    created: dict[str, Article],
) -> Article:
    problem_codes = [codes[code] for code in entry.get("codes", []) if code in codes]
    article = article_create(
        values={
            "kind": entry["kind"],
            "title": entry["title"],
            "summary": entry.get("summary", ""),
            "keywords": entry.get("keywords", ""),
            "language": entry.get("language", "en"),
            "body": entry.get("body", ""),
            "phone_numbers": entry.get("phone_numbers", []),
            "external_url": entry.get("url", ""),
            "link_target": created.get(entry.get("link_to", "")),
        },
        relations={
            "topics": [topics[name] for name in entry.get("topics", [])],
            "categories": list({code.category for code in problem_codes}),
            "problem_codes": problem_codes,
        },
        user=user,
    )
    if entry.get("draft"):
        return article
    return article_publish(article=article, user=user)
