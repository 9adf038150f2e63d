"""The demo city's data: its staff, catalogue, queues, the words its residents write, and its story.

Only data: ``casework.demo`` writes it into the database. Everything here is
invented for people trying Tandem and never belongs in a real deployment.
"""
from dataclasses import dataclass

from core.accounts.models import Role
from intake.models import QuestionType

# the logins bin/run prints; demo data only, never for a real deployment
DEMO_STAFF = [
    ("Casey Caseworker", "casey@tandem.demo", Role.CASEWORKER, "tandem-demo-caseworker", "en es"),
    ("Sam Supervisor", "sam@tandem.demo", Role.SUPERVISOR, "tandem-demo-supervisor", "en"),
    ("Alex Admin", "alex@tandem.demo", Role.ADMIN, "tandem-demo-admin", "en"),
    ("Jordan Rivera", "jordan@tandem.demo", Role.CASEWORKER, "tandem-demo-caseworker", "en es"),
    ("Morgan Lee", "morgan@tandem.demo", Role.CASEWORKER, "tandem-demo-caseworker", "en"),
    ("Riley Costa", "riley@tandem.demo", Role.CASEWORKER, "tandem-demo-caseworker", "en pt"),
    ("Taylor Brooks", "taylor@tandem.demo", Role.CASEWORKER, "tandem-demo-caseworker", "en"),
    ("Priya Shah", "priya@tandem.demo", Role.CASEWORKER, "tandem-demo-caseworker", "en pt"),
    ("Sofia Almeida", "sofia@tandem.demo", Role.CASEWORKER, "tandem-demo-caseworker", "en pt"),
    ("Noah Kim", "noah@tandem.demo", Role.CASEWORKER, "tandem-demo-caseworker", "en"),
    ("Amara Okafor", "amara@tandem.demo", Role.CASEWORKER, "tandem-demo-caseworker", "en"),
]
# a team a supervisor can even out: the first member of each queue gets most of its work, Morgan is
# away this week holding cases, Riley works part-time. Its staff give 20 hours a week to these services
# (the rest of their week is other duties): of the order of the minutes its history logs, so the heavy
# holders are overloaded and the others have room.
HEAVY_HOLDER_WEIGHT = 5
# a share of cases handed to a colleague after their first step
HANDED_ON_SHARE = 0.2
CASEWORK_MINUTES = 20 * 60
PART_TIME = {"riley": 10 * 60}
AWAY_THIS_WEEK = ("morgan", "Annual leave")
# work the history leaves with some people, not yet started, as the share of their week it would take: a board a
# supervisor recognises (Casey and Riley overloaded, Jordan busy, the others with room) and a rebalance to make
BACKLOG = {"casey": 1.3, "riley": 1.15, "jordan": 0.85}
# how the history's requests came in, in twenty: most on the web form, many by phone, some at the counter and
# from a partner's app (Boston's 311 data has about 30 in 100 by phone)
CHANNEL_MIX = ["web"] * 11 + ["phone"] * 6 + ["counter"] * 2 + ["api"]
# what callers ask the desk about (topic, service code or None for a general one), and how many such calls a
# week are answered on the spot: most calls to a 311 centre ask for information
CONTACT_TOPICS = [("Collection days and times", None, 18), ("When will my pothole be fixed?", "pothole", 9),
                  ("How to apply for food or rent help", "benefit_question", 12),
                  ("What a bulky item pickup costs", "bulk_pickup", 6), ("Opening hours of city offices", None, 8)]
# the process change the demo's blueprint compares either side of (service, title, note)
CHANGE = ("pothole", "Form asks for a photo",
          "The form now asks for a photo of the hole (it stays optional), so crews see it before they go and "
          "rarely need to ask where.")

DEPARTMENTS = [
    ("streets", "Streets and Roads"),
    ("waste", "Waste and Recycling"),
    ("parks", "Parks and Trees"),
    ("benefits", "Community Benefits"),
]

# what citizens read in Spanish and Portuguese: team names, group headings, service descriptions
DEPARTMENT_NAMES = {
    "streets": ("Calles y Vías", "Ruas e Estradas"),
    "waste": ("Residuos y Reciclaje", "Resíduos e Reciclagem"),
    "parks": ("Parques y Árboles", "Parques e Árvores"),
    "benefits": ("Ayudas a la Comunidad", "Apoios à Comunidade"),
}
GROUP_NAMES = {
    "Streets and sidewalks": ("Calles y aceras", "Ruas e calçadas"),
    "Trash and recycling": ("Basura y reciclaje", "Lixo e reciclagem"),
    "Clean and green": ("Limpieza y zonas verdes", "Limpeza e espaços verdes"),
    "Help and benefits": ("Ayuda y prestaciones", "Ajuda e apoios"),
}
DESCRIPTIONS = {
    "pothole": ("Un agujero o una grieta en la calzada.", "Um buraco ou fenda no pavimento da rua."),
    "streetlight": ("Una farola apagada, que parpadea o que está encendida de día.",
                    "Um poste de luz apagado, a piscar ou aceso durante o dia."),
    "sidewalk": ("Una acera o rampa rota, levantada u obstruida.", "Uma calçada ou rampa partida, levantada ou bloqueada."),
    "missed_collection": ("No se recogió su basura, reciclaje o compost el día de recogida.",
                          "O seu lixo, reciclagem ou composto não foi recolhido no dia de recolha."),
    "bulk_pickup": ("Pida la recogida de muebles, colchones o electrodomésticos.",
                    "Marque a recolha de móveis, colchões ou eletrodomésticos."),
    "graffiti": ("Grafitis en propiedad pública.", "Pichações em propriedade pública."),
    "fallen_tree": ("Un árbol o una rama grande que ha caído o está a punto de caer.",
                    "Uma árvore ou um galho grande que caiu ou está prestes a cair."),
    "benefit_question": ("Pregunte por ayudas para alimentos, alquiler o energía, o por una solicitud que hizo.",
                         "Pergunte sobre apoios para alimentação, renda ou energia, ou sobre um pedido que fez."),
}

YES_NO = [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]
DANGER = dict(code="danger", datatype=QuestionType.SINGLE, required=True, values=YES_NO,
              prompt="Is anyone in danger right now?", stop_values=["yes"],
              stop_notice="Call 911 now. This form is not watched around the clock.",
              translations={"es": {"prompt": "¿Hay alguien en peligro ahora mismo?",
                                   "stop_notice": "Llame al 911 ahora. Este formulario no se atiende a todas horas.",
                                   "values": {"yes": "Sí", "no": "No"}},
                            "pt": {"prompt": "Alguém está em perigo agora?",
                                   "stop_notice": "Ligue para o 911 agora. Este formulário não é vigiado 24 horas.",
                                   "values": {"yes": "Sim", "no": "Não"}}})


@dataclass
class ServiceSpec:
    code: str
    department: str
    group: str
    name: str
    names: tuple  # Spanish, Portuguese
    keywords: str
    description: str
    first_response_hours: int
    resolution_hours: int
    steps: tuple  # (name, standard minutes)
    questions: tuple = ()
    weekly: int = 6  # typical requests a week
    allows_anonymous: bool = False


SERVICES = [
    ServiceSpec("pothole", "streets", "Streets and sidewalks", "Pothole", ("Bache", "Buraco na rua"),
                "hole road crack tarmac asphalt", "A hole or crack in the road surface.", 24, 120,
                (("Inspect the site", 25), ("Schedule the repair", 10), ("Confirm the repair", 10)),
                questions=(DANGER, dict(code="where", datatype=QuestionType.SINGLE, required=True,
                                        prompt="Where is it?", values=[{"key": "road", "name": "In the road"},
                                                                        {"key": "bike_lane", "name": "In a bike lane"}],
                                        translations={"es": {"prompt": "¿Dónde está?", "values": {
                                            "road": "En la calzada", "bike_lane": "En un carril bici"}},
                                            "pt": {"prompt": "Onde fica?", "values": {
                                                "road": "Na faixa de rodagem", "bike_lane": "Numa ciclovia"}}})),
                weekly=14),
    ServiceSpec("streetlight", "streets", "Streets and sidewalks", "Streetlight out",
                ("Farola apagada", "Poste de luz apagado"), "lamp light dark pole",
                "A streetlight that is out, flickering or on during the day.", 48, 240,
                (("Check the light", 15), ("Order the repair", 10)),
                questions=(dict(code="pole", datatype=QuestionType.STRING, prompt="Pole number, if you can see one",
                                hint="Usually on a metal tag about head height",
                                translations={
                                    "es": {"prompt": "Número del poste, si lo ve",
                                           "hint": "Suele estar en una placa metálica a la altura de la cabeza"},
                                    "pt": {"prompt": "Número do poste, se o conseguir ver",
                                           "hint": "Costuma estar numa placa metálica à altura da cabeça"}}),),
                weekly=8),
    ServiceSpec("sidewalk", "streets", "Streets and sidewalks", "Broken sidewalk", ("Acera rota", "Calçada quebrada"),
                "pavement trip curb ramp", "A broken, lifted or blocked sidewalk or curb ramp.", 48, 480,
                (("Inspect the site", 30), ("Make it safe", 40), ("Schedule the repair", 15)), weekly=4),
    ServiceSpec("missed_collection", "waste", "Trash and recycling", "Missed collection",
                ("Recogida no realizada", "Coleta não realizada"), "bin trash garbage recycling pickup",
                "Your trash, recycling or compost was not picked up on collection day.", 8, 48,
                (("Check the route log", 10), ("Send a crew", 15)),
                questions=(dict(code="bins", datatype=QuestionType.MULTI, required=True, prompt="Which bins were missed?",
                                values=[{"key": "trash", "name": "Trash"}, {"key": "recycling", "name": "Recycling"},
                                        {"key": "compost", "name": "Compost"}],
                                translations={"es": {"prompt": "¿Qué contenedores no se recogieron?",
                                                     "values": {"trash": "Basura", "recycling": "Reciclaje",
                                                                "compost": "Compost"}},
                                              "pt": {"prompt": "Que contentores não foram recolhidos?",
                                                     "values": {"trash": "Lixo", "recycling": "Reciclagem",
                                                                "compost": "Compostagem"}}}),),
                weekly=16),
    ServiceSpec("bulk_pickup", "waste", "Trash and recycling", "Bulky item pickup",
                ("Recogida de objetos grandes", "Coleta de volumosos"), "sofa mattress furniture appliance",
                "Book a pickup of furniture, mattresses or appliances.", 24, 168,
                (("Book the pickup", 10),), weekly=6),
    ServiceSpec("graffiti", "parks", "Clean and green", "Graffiti", ("Grafiti", "Pichação"),
                "paint tag spray wall vandalism", "Graffiti on public property.", 48, 168,
                (("Assess the surface", 15), ("Clean it off", 45)), weekly=5),
    ServiceSpec("fallen_tree", "parks", "Clean and green", "Fallen tree or branch",
                ("Árbol o rama caída", "Árvore ou galho caído"), "tree branch storm blocked",
                "A tree or large branch that has fallen or looks about to.", 4, 72,
                (("Make the area safe", 30), ("Remove the tree", 90)), questions=(DANGER,), weekly=3),
    ServiceSpec("benefit_question", "benefits", "Help and benefits", "Question about a benefit",
                ("Pregunta sobre una ayuda", "Dúvida sobre um benefício"), "snap food rent energy help money",
                "Ask about food, rent or energy assistance, or about an application you made.", 24, 120,
                (("Look up the application", 15), ("Answer the question", 20)),
                questions=(dict(code="program", datatype=QuestionType.SINGLE, required=True, prompt="Which program?",
                                values=[{"key": "food", "name": "Food assistance"},
                                        {"key": "rent", "name": "Rent assistance"},
                                        {"key": "energy", "name": "Energy assistance"}],
                                translations={"es": {"prompt": "¿Qué programa?",
                                                     "values": {"food": "Ayuda para alimentos",
                                                                "rent": "Ayuda para el alquiler",
                                                                "energy": "Ayuda para la energía"}},
                                              "pt": {"prompt": "Que programa?",
                                                     "values": {"food": "Apoio alimentar", "rent": "Apoio à renda",
                                                                "energy": "Apoio à energia"}}}),),
                weekly=10, allows_anonymous=True),
]

# (name, department, takes the department's unrouted requests, opening hours its clocks count: None = the agency's)
QUEUES = [
    ("Road repairs", "streets", True, None),
    ("Road emergencies", "streets", False, "always"),
    ("Collections", "waste", True, None),
    ("Parks crew", "parks", True, None),
    ("Benefits help desk", "benefits", True, None),
]

MEMBERS = {
    # a crew of six, enough for its own line in the staff pulse (five answers at least)
    "Road repairs": ["casey", "jordan", "taylor", "sofia", "noah", "amara"],
    "Road emergencies": ["casey", "jordan"],
    "Collections": ["morgan", "casey", "taylor"],
    "Parks crew": ["riley", "priya"],
    "Benefits help desk": ["jordan", "riley", "priya"],
}

STREETS = ["High Street", "Mill Road", "Station Avenue", "Oak Lane", "Church Street", "Market Square",
           "River Walk", "Elm Grove", "Park Road", "King Street"]
NAMES = ["Ana Souza", "Ben Carter", "Chloe Nguyen", "Diego Ramos", "Esther Cohen", "Farah Ali", "Gus Murphy",
         "Hana Sato", "Ivan Petrov", "Julia Mendes", "Kofi Mensah", "Lucia García"]
COMPLAINTS = {
    "pothole": "Deep pothole, cars swerve around it.",
    "streetlight": "The light has been out for three nights.",
    "sidewalk": "Slab lifted by tree roots, someone tripped.",
    "missed_collection": "Our bins were not emptied this morning.",
    "bulk_pickup": "Old sofa and a mattress to collect.",
    "graffiti": "Fresh tags on the underpass wall.",
    "fallen_tree": "A big branch is blocking half the path.",
    "benefit_question": "I applied for help three weeks ago and have heard nothing.",
}
# (reason, note) pairs: why demo staff found a step hard
FRICTION_NOTES = [
    ("missing_information", "Had to phone the resident to find the exact spot."),
    ("tool_too_slow", "The address is not in the GIS, searched by hand."),
    ("tool_too_slow", "Re-keyed the details into the works system."),
    ("waiting_on_another_team", "Waiting on another team to confirm."),
    ("missing_information", "Photo would have saved a site visit."),
]
REPLY_TEMPLATES = [
    ("Crew booked", "en", "Hello {citizen_name}, a crew is booked to deal with your report {reference}. "
                          "We expect to finish by {due_date}."),
    ("Crew booked", "es", "Hola, {citizen_name}: hemos programado un equipo para su aviso {reference}. "
                          "Esperamos terminar antes del {due_date}."),
    ("Crew booked", "pt", "Olá, {citizen_name}: agendámos uma equipa para o seu pedido {reference}. "
                          "Esperamos terminar até {due_date}."),
    ("Need a photo", "en", "Hello {citizen_name}, could you send us a photo of the problem you reported ({reference})? "
                           "It helps the {team} team bring the right equipment."),
]
