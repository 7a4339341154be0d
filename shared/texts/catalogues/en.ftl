# fairlink's texts in English: the fallback of every other catalogue, so it holds every
# message. Times ($time, $local, $beijing) arrive formatted for the language; $zone is the
# zone's abbreviation and name ("EST (America/New_York)").

## Account

welcome-title = Welcome to fairlink
welcome-body = Your account is ready.

## Intents and matching

intent-assigned-title = New procurement intent
intent-assigned-body = The intent “{ $intent }” was assigned to you.
intent-matched-title = Intent matched
intent-matched-body = The intent “{ $intent }” matches one of your recommended exhibits (score { $score }).
recommendation-pushed-title = Recommended exhibit
recommendation-pushed-body = “{ $exhibit }” matches your intent “{ $intent }”.
push-email-subject = fairlink: { $count ->
        [one] one recommended exhibit
       *[other] { $count } recommended exhibits
    } for “{ $intent }”
push-email-intro = Dear { $name },

    { $count ->
        [one] This exhibit matches
       *[other] These exhibits match
    } your procurement intent “{ $intent }”:
push-email-line = - { $exhibit } ({ $score }): { $reasons }

## Why an exhibit was recommended

reason-similar-product = A product like the one you asked for
reason-keywords = Matches your words: { $words }
reason-moq = MOQ { $moq } { $unit }, within your { $quantity }
reason-price = Price { $min }–{ $max } { $currency }, within your target
reason-certifications = { $names } held
reason-market = Ships to { $country }
reason-market-region = Ships to { $country } ({ $region })

## Units of quantity

unit-pieces = { $count ->
        [one] pc
       *[other] pcs
    }
unit-sets = { $count ->
        [one] set
       *[other] sets
    }
unit-pairs = { $count ->
        [one] pair
       *[other] pairs
    }
unit-meters = m
unit-square-meters = m²
unit-kilograms = kg
unit-tons = t
unit-rolls = { $count ->
        [one] roll
       *[other] rolls
    }
unit-cartons = { $count ->
        [one] carton
       *[other] cartons
    }
unit-containers = { $count ->
        [one] container
       *[other] containers
    }

## Business cards and chat

card-received-title = Business card received
card-received-body = { $sender } sent you a business card.
conversation-assigned-title = New conversation
conversation-assigned-body = The conversation with { $buyer } was assigned to you.

## Bookings

booking-requested-title = New booking
booking-requested-body = { $buyer } booked the slot at { $beijing } (Beijing time); assign who receives them.
booking-confirmed-title = Meeting confirmed
booking-confirmed-body = The meeting of { $exhibitor } and { $buyer } at { $beijing } (Beijing time) is confirmed.
booking-cancelled-title = Meeting cancelled
booking-cancelled-body = The meeting at { $beijing } (Beijing time) was cancelled.

## Emails and SMS about a meeting

confirmation-email-subject = Meeting confirmed: { $exhibitor } / { $buyer }
confirmation-email-body = Your meeting between { $exhibitor } and { $buyer } is confirmed.

    Time: { $local } { $zone }
    Beijing time: { $beijing }

    Join: { $link }
invitation-email-subject = Invitation: meeting { $exhibitor } / { $buyer }
invitation-email-body = Dear { $name },

    You are invited to the meeting between { $exhibitor } and { $buyer }.

    Time: { $local } { $zone }
    Beijing time: { $beijing }

    Join: { $link }
reminder-email-subject = Reminder: your meeting starts at { $time }
reminder-email-body = Your meeting between { $exhibitor } and { $buyer } starts in 15 minutes.

    Time: { $local } { $zone }
    Beijing time: { $beijing }

    Join: { $link }
reminder-sms = fairlink: meeting { $exhibitor } / { $buyer } at { $time } (Beijing { $beijing }). Join: { $link }

## Countries (ISO 3166-1 alpha-2), as a market an exhibit ships to

country-US = the United States
country-GB = the United Kingdom
country-DE = Germany
country-FR = France
country-ES = Spain
country-IT = Italy
country-PT = Portugal
country-NL = the Netherlands
country-BE = Belgium
country-PL = Poland
country-SE = Sweden
country-RU = Russia
country-KZ = Kazakhstan
country-BY = Belarus
country-UA = Ukraine
country-TR = Türkiye
country-SA = Saudi Arabia
country-AE = the United Arab Emirates
country-EG = Egypt
country-MA = Morocco
country-DZ = Algeria
country-QA = Qatar
country-KW = Kuwait
country-IQ = Iraq
country-JO = Jordan
country-NG = Nigeria
country-KE = Kenya
country-ZA = South Africa
country-SN = Senegal
country-GH = Ghana
country-IN = India
country-PK = Pakistan
country-BD = Bangladesh
country-ID = Indonesia
country-MY = Malaysia
country-SG = Singapore
country-TH = Thailand
country-VN = Vietnam
country-PH = the Philippines
country-JP = Japan
country-KR = South Korea
country-CN = China
country-HK = Hong Kong
country-TW = Taiwan
country-AU = Australia
country-NZ = New Zealand
country-CA = Canada
country-MX = Mexico
country-BR = Brazil
country-AR = Argentina
country-CL = Chile
country-CO = Colombia
country-PE = Peru
