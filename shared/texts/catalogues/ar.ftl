# نصوص fairlink باللغة العربية. تصل الأوقات ($time و$local و$beijing) منسّقة مسبقًا حسب اللغة،
# و$zone هو اختصار المنطقة الزمنية واسمها.

## الحساب

welcome-title = مرحبًا بكم في fairlink
welcome-body = حسابكم جاهز الآن.

## طلبات الشراء والمطابقة

intent-assigned-title = طلب شراء جديد
intent-assigned-body = تم إسناد طلب الشراء «{ $intent }» إليكم.
intent-matched-title = تطابق مع طلب شراء
intent-matched-body = يتطابق طلب الشراء «{ $intent }» مع أحد منتجاتكم الموصى بها (درجة التطابق: { $score }).
recommendation-pushed-title = منتج موصى به
recommendation-pushed-body = يتوافق المنتج «{ $exhibit }» مع طلب الشراء «{ $intent }» الخاص بكم.
push-email-subject = fairlink: { $count ->
        [zero] لا منتجات موصى بها
        [one] منتج واحد موصى به
        [two] منتجان موصى بهما
        [few] { $count } منتجات موصى بها
        [many] { $count } منتجًا موصى به
       *[other] { $count } منتج موصى به
    } لطلب الشراء «{ $intent }»
push-email-intro = مرحبًا { $name }،

    { $count ->
        [one] يتوافق المنتج التالي
        [two] يتوافق المنتجان التاليان
       *[other] تتوافق المنتجات التالية
    } مع طلب الشراء «{ $intent }» الخاص بكم:
push-email-line = - { $exhibit } ({ $score }): { $reasons }

## أسباب التوصية بالمنتج

reason-similar-product = منتج مشابه لما تبحثون عنه
reason-keywords = يطابق كلماتكم المفتاحية: { $words }
reason-moq = الحد الأدنى للطلب: { $moq } { $unit }، ضمن الكمية التي تطلبونها ({ $quantity })
reason-price = السعر من { $min } إلى { $max } { $currency }، ضمن السعر المستهدف
reason-certifications = الشهادات: { $names }
reason-market = يُشحن إلى { $country }
reason-market-region = يُشحن إلى { $country } ({ $region })

## وحدات الكمية

unit-pieces = { $count ->
        [one] قطعة
        [two] قطعتان
        [few] قطع
        [many] قطعة
       *[other] قطعة
    }
unit-sets = { $count ->
        [one] طقم
        [two] طقمان
        [few] أطقم
        [many] طقمًا
       *[other] طقم
    }
unit-pairs = { $count ->
        [one] زوج
        [two] زوجان
        [few] أزواج
        [many] زوجًا
       *[other] زوج
    }
unit-meters = م
unit-square-meters = م²
unit-kilograms = كغ
unit-tons = طن
unit-rolls = { $count ->
        [one] لفة
        [two] لفتان
        [few] لفات
        [many] لفة
       *[other] لفة
    }
unit-cartons = { $count ->
        [one] كرتونة
        [two] كرتونتان
        [few] كراتين
        [many] كرتونة
       *[other] كرتونة
    }
unit-containers = { $count ->
        [one] حاوية
        [two] حاويتان
        [few] حاويات
        [many] حاوية
       *[other] حاوية
    }

## بطاقات العمل والمحادثات

card-received-title = بطاقة عمل جديدة
card-received-body = تلقيتم بطاقة عمل من { $sender }.
conversation-assigned-title = محادثة جديدة
conversation-assigned-body = تم إسناد المحادثة مع { $buyer } إليكم.

## حجوزات المواعيد

booking-requested-title = حجز جديد
booking-requested-body = حجز المشتري { $buyer } موعدًا في { $beijing } (بتوقيت بكين). يُرجى تعيين الموظف المسؤول عن استقباله.
booking-confirmed-title = تم تأكيد الاجتماع
booking-confirmed-body = تم تأكيد الاجتماع بين { $exhibitor } و{ $buyer } في { $beijing } (بتوقيت بكين).
booking-cancelled-title = تم إلغاء الاجتماع
booking-cancelled-body = تم إلغاء الاجتماع المقرر في { $beijing } (بتوقيت بكين).

## رسائل البريد الإلكتروني والرسائل النصية الخاصة بالاجتماع

confirmation-email-subject = تأكيد الاجتماع: { $exhibitor } / { $buyer }
confirmation-email-body = تم تأكيد اجتماعكم بين { $exhibitor } و{ $buyer }.

    الموعد: { $local } { $zone }
    بتوقيت بكين: { $beijing }

    رابط الانضمام: { $link }
invitation-email-subject = دعوة إلى اجتماع: { $exhibitor } / { $buyer }
invitation-email-body = مرحبًا { $name }،

    يسرّنا دعوتكم إلى الاجتماع بين { $exhibitor } و{ $buyer }.

    الموعد: { $local } { $zone }
    بتوقيت بكين: { $beijing }

    رابط الانضمام: { $link }
reminder-email-subject = تذكير: يبدأ اجتماعكم الساعة { $time }
reminder-email-body = يبدأ اجتماعكم بين { $exhibitor } و{ $buyer } بعد ربع ساعة.

    الموعد: { $local } { $zone }
    بتوقيت بكين: { $beijing }

    رابط الانضمام: { $link }
# ترميز UCS-2: 70 حرفًا لكل مقطع، لذا يبقى النص الثابت في حدود 55 حرفًا تقريبًا.
reminder-sms = fairlink: اجتماع { $exhibitor } / { $buyer } الساعة { $time } (بتوقيت بكين { $beijing }). الرابط: { $link }

## الدول (رموز ISO 3166-1 الثنائية) بوصفها أسواقًا يُشحن إليها المنتج

country-US = الولايات المتحدة
country-GB = المملكة المتحدة
country-DE = ألمانيا
country-FR = فرنسا
country-ES = إسبانيا
country-IT = إيطاليا
country-PT = البرتغال
country-NL = هولندا
country-BE = بلجيكا
country-PL = بولندا
country-SE = السويد
country-RU = روسيا
country-KZ = كازاخستان
country-BY = بيلاروس
country-UA = أوكرانيا
country-TR = تركيا
country-SA = المملكة العربية السعودية
country-AE = الإمارات العربية المتحدة
country-EG = مصر
country-MA = المغرب
country-DZ = الجزائر
country-QA = قطر
country-KW = الكويت
country-IQ = العراق
country-JO = الأردن
country-NG = نيجيريا
country-KE = كينيا
country-ZA = جنوب أفريقيا
country-SN = السنغال
country-GH = غانا
country-IN = الهند
country-PK = باكستان
country-BD = بنغلاديش
country-ID = إندونيسيا
country-MY = ماليزيا
country-SG = سنغافورة
country-TH = تايلاند
country-VN = فيتنام
country-PH = الفلبين
country-JP = اليابان
country-KR = كوريا الجنوبية
country-CN = الصين
country-HK = هونغ كونغ
country-TW = تايوان
country-AU = أستراليا
country-NZ = نيوزيلندا
country-CA = كندا
country-MX = المكسيك
country-BR = البرازيل
country-AR = الأرجنتين
country-CL = تشيلي
country-CO = كولومبيا
country-PE = بيرو
